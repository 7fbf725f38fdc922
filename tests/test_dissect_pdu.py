"""Pdu: JSON form, XML access for wire checks (untrusted XML: no DTD, no entities)."""
from __future__ import annotations

import pytest
from defusedxml import DTDForbidden

from tsconform.dissect import Dissection, DissectWarning, Pdu
from tsconform.dissect.samples import csta_xml
from tsconform.tlib.model import Attr, Message, MessageType

ESCAPE = csta_xml("Escape", "<privateData><private><g:guestAssociatedExtension xmlns:g='urn:g'>"
                            "<g:guest>5001</g:guest><g:host>6001</g:host>"
                            "</g:guestAssociatedExtension></private></privateData>")


def csta(xml=ESCAPE, frame=3):
    return Pdu(frame, 1.25, "10.0.0.1:40000", "10.0.0.2:1040", "csta", "Escape",
               invoke_id="0004", xml=xml)


def test_csta_json_and_xml_access():
    p = csta()
    assert p.to_json() == {"frame": 3, "time": 1.25, "src": "10.0.0.1:40000",
                           "dst": "10.0.0.2:1040", "link": "csta", "message": "Escape",
                           "invoke_id": "0004", "xml": ESCAPE}
    assert p.find_text("guest") == "5001" and p.find_text("host") == "6001"
    assert len(p.findall("guestAssociatedExtension")) == 1
    assert p.find_text("nothing") is None
    assert p.summary() == "CSTA 0004 Escape"


def test_xml_with_a_dtd_is_refused():
    bomb = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            "<PrivateEvent>&b;</PrivateEvent>")
    with pytest.raises(DTDForbidden):
        csta(bomb).element()


def test_tlib_json():
    msg = Message(MessageType.EventError, {Attr.ReferenceID: 4, Attr.ErrorCode: 53,
                                           Attr.ApplicationPassword: "pw"})
    p = Pdu(9, 2.0, "a:1", "b:2", "tlib", msg.name, reference_id=4, tlib=msg)
    j = p.to_json()
    assert j["reference_id"] == 4 and j["message"] == "EventError"
    assert j["attributes"] == {"ReferenceID": 4, "ErrorCode": 53, "ApplicationPassword": "****"}
    assert "xml" not in j and "invoke_id" not in j
    assert p.id == 4 and "ErrorCode=53" in p.summary()


def test_dissection_select_and_warning_text():
    d = Dissection("x.pcap", pdus=[csta(frame=1), csta(frame=2)])
    assert len(d.select(link="csta", message="Escape")) == 2
    assert d.select(link="tlib") == []
    assert str(DissectWarning(7, "bad")) == "frame 7: bad"
    assert str(DissectWarning(None, "bad")) == "bad"
