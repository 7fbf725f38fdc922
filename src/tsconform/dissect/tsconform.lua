-- Wireshark/tshark dissector for the two links tsconform captures:
--   * T-Lib, the project's open framing: "TL", version 1, flags 0, u32 BE length of the
--     whole frame (header included), u16 message type, u16 attribute count, attributes
--     (u16 id, u8 wire type, value), KV lists nested inside.
--   * CSTA XML over TCP (ECMA-323): 00 00, u16 BE length of the whole frame (header
--     included), 4 ASCII digits of invoke ID, then an XML document handed to tshark's own
--     XML dissector.
-- Both use dissect_tcp_pdus, so TCP reassembly is tshark's.
--
-- Use:  tshark -X lua_script:tsconform.lua -o tsconform_tlib.ports:7000 -r FILE
-- Preferences: tsconform_tlib.ports (none by default), tsconform_csta.ports (1040),
-- tsconform_csta.heuristic / tsconform_tlib.heuristic (find the framing on any port).

local tlib = Proto("tsconform_tlib", "T-Lib (tsconform open framing)")
local csta = Proto("tsconform_csta", "CSTA XML over TCP (ECMA-323)")

local TLIB_HEADER = 12
local CSTA_HEADER = 8

local message_names = {
    [0] = "RequestRegisterClient", [3] = "RequestRegisterAddress",
    [4] = "RequestUnregisterAddress", [14] = "RequestMakeCall", [16] = "RequestAnswerCall",
    [17] = "RequestReleaseCall", [50] = "EventServerConnected",
    [51] = "EventServerDisconnected", [52] = "EventError", [53] = "EventRegistered",
    [54] = "EventUnregistered", [60] = "EventRinging", [61] = "EventDialing",
    [64] = "EventEstablished", [65] = "EventReleased", [94] = "EventLinkDisconnected",
    [95] = "EventLinkConnected", [138] = "EventACK", [149] = "RequestPrivateService",
    [150] = "EventPrivateInfo",
}
local attr_names = {
    [0] = "ProtocolVersion", [1] = "ErrorMessage", [2] = "ReferenceID", [3] = "CallID",
    [9] = "ConnID", [13] = "CallState", [17] = "Reason", [20] = "ThisDN", [23] = "ThisDNRole",
    [24] = "OtherDN", [27] = "OtherDNRole", [46] = "ErrorCode", [49] = "RegisterMode",
    [51] = "UserData", [53] = "Extensions", [54] = "CallType", [64] = "ApplicationName",
    [65] = "ApplicationPassword", [105] = "PrivateMsgID", [1001] = "PrivateID",
}
local wire_names = { [0] = "INT", [1] = "STRING", [2] = "CONNID", [3] = "KVLIST", [4] = "BINARY" }
local kv_names = { [0] = "String", [1] = "Int", [2] = "Binary", [3] = "List", [4] = "Unicode" }
local SECRET = { [65] = true }

local tf = {
    magic = ProtoField.string("tsconform_tlib.magic", "Magic"),
    version = ProtoField.uint8("tsconform_tlib.version", "Version"),
    flags = ProtoField.uint8("tsconform_tlib.flags", "Flags", base.HEX),
    length = ProtoField.uint32("tsconform_tlib.length", "Length"),
    msg_type = ProtoField.uint16("tsconform_tlib.msg_type", "Message type", base.DEC, message_names),
    message = ProtoField.string("tsconform_tlib.message", "Message"),
    attr_count = ProtoField.uint16("tsconform_tlib.attr_count", "Attribute count"),
    attr = ProtoField.uint16("tsconform_tlib.attr", "Attribute", base.DEC, attr_names),
    wire = ProtoField.uint8("tsconform_tlib.wire", "Wire type", base.DEC, wire_names),
    int = ProtoField.int32("tsconform_tlib.int", "Integer"),
    str = ProtoField.string("tsconform_tlib.string", "String"),
    connid = ProtoField.uint64("tsconform_tlib.connid", "ConnID", base.HEX),
    bytes = ProtoField.bytes("tsconform_tlib.bytes", "Binary"),
    ref_id = ProtoField.int32("tsconform_tlib.reference_id", "ReferenceID"),
    kv_count = ProtoField.uint16("tsconform_tlib.kv.count", "Pairs"),
    kv_key = ProtoField.string("tsconform_tlib.kv.key", "Key"),
    kv_type = ProtoField.uint8("tsconform_tlib.kv.type", "Value type", base.DEC, kv_names),
}
tlib.fields = tf

local cf = {
    format = ProtoField.uint16("tsconform_csta.format", "Format", base.HEX),
    length = ProtoField.uint16("tsconform_csta.length", "Length"),
    invoke_id = ProtoField.string("tsconform_csta.invoke_id", "Invoke ID"),
}
csta.fields = cf

local e_malformed = ProtoExpert.new("tsconform.malformed", "Malformed PDU",
                                    expert.group.MALFORMED, expert.severity.ERROR)
tlib.experts = { e_malformed }

tlib.prefs.ports = Pref.range("TCP ports", "", "T-Lib server ports", 65535)
tlib.prefs.heuristic = Pref.bool("Heuristic", true, "Find T-Lib frames on any TCP port")
csta.prefs.ports = Pref.range("TCP ports", "1040", "CSTA link ports", 65535)
csta.prefs.heuristic = Pref.bool("Heuristic", true, "Find CSTA frames on any TCP port")

-- ------------------------------------------------------------------ T-Lib

-- Dissect a KV list at offset; returns the offset just past it (or nil when malformed).
local function kv_list(tvb, tree, offset, limit, depth)
    if depth > 8 or offset + 2 > limit then return nil end
    local count = tvb(offset, 2):uint()
    tree:add(tf.kv_count, tvb(offset, 2))
    offset = offset + 2
    for _ = 1, count do
        if offset + 2 > limit then return nil end
        local klen = tvb(offset, 2):uint()
        if offset + 3 + klen > limit then return nil end
        local key = tvb(offset + 2, klen):string()
        local pair = tree:add(tlib, tvb(offset, 3 + klen), "Pair: " .. key)
        pair:add(tf.kv_key, tvb(offset + 2, klen))
        offset = offset + 2 + klen
        local t = tvb(offset, 1):uint()
        pair:add(tf.kv_type, tvb(offset, 1))
        offset = offset + 1
        if t == 1 then
            if offset + 4 > limit then return nil end
            pair:add(tf.int, tvb(offset, 4))
            offset = offset + 4
        elseif t == 0 or t == 2 or t == 4 then
            if offset + 4 > limit then return nil end
            local n = tvb(offset, 4):uint()
            if offset + 4 + n > limit then return nil end
            if n > 0 then
                pair:add(t == 2 and tf.bytes or tf.str, tvb(offset + 4, n))
            end
            offset = offset + 4 + n
        elseif t == 3 then
            offset = kv_list(tvb, pair, offset, limit, depth + 1)
            if offset == nil then return nil end
        else
            return nil
        end
    end
    return offset
end

local function tlib_pdu_len(tvb, pinfo, offset)
    local len = tvb(offset + 4, 4):uint()
    if len < TLIB_HEADER then return tvb:len() - offset end   -- not a frame: skip the rest
    return len
end

local function tlib_pdu(tvb, pinfo, tree)
    local len = tvb:len()
    local mtype = tvb(8, 2):uint()
    local count = tvb(10, 2):uint()
    local name = message_names[mtype] or ("Message" .. mtype)
    local t = tree:add(tlib, tvb(), "T-Lib " .. name)
    t:add(tf.magic, tvb(0, 2))
    t:add(tf.version, tvb(2, 1))
    t:add(tf.flags, tvb(3, 1))
    t:add(tf.length, tvb(4, 4))
    t:add(tf.msg_type, tvb(8, 2))
    t:add(tf.message, name):set_generated()
    t:add(tf.attr_count, tvb(10, 2))
    local offset = TLIB_HEADER
    local ok = true
    for _ = 1, count do
        if offset + 3 > len then ok = false break end
        local id = tvb(offset, 2):uint()
        local wire = tvb(offset + 2, 1):uint()
        local a = t:add(tf.attr, tvb(offset, 3))
        a:add(tf.wire, tvb(offset + 2, 1))
        local v = offset + 3
        if wire == 0 then
            if v + 4 > len then ok = false break end
            a:add(tf.int, tvb(v, 4))
            if id == 2 then t:add(tf.ref_id, tvb(v, 4)) end
            offset = v + 4
        elseif wire == 1 or wire == 4 then
            if v + 4 > len then ok = false break end
            local n = tvb(v, 4):uint()
            if v + 4 + n > len then ok = false break end
            if SECRET[id] then
                a:append_text(" (masked)")
            elseif n > 0 then
                a:add(wire == 1 and tf.str or tf.bytes, tvb(v + 4, n))
            end
            offset = v + 4 + n
        elseif wire == 2 then
            if v + 8 > len then ok = false break end
            a:add(tf.connid, tvb(v, 8))
            offset = v + 8
        elseif wire == 3 then
            offset = kv_list(tvb, a, v, len, 1)
            if offset == nil then ok = false break end
        else
            ok = false break
        end
    end
    if not ok or offset ~= len then t:add_proto_expert_info(e_malformed) end
    pinfo.cols.protocol = "T-Lib"
    pinfo.cols.info:append(" " .. name)
    return len
end

function tlib.dissector(tvb, pinfo, tree)
    return dissect_tcp_pdus(tvb, tree, TLIB_HEADER, tlib_pdu_len, tlib_pdu, true)
end

-- ------------------------------------------------------------------ CSTA

local xml = Dissector.get("xml")

local function csta_pdu_len(tvb, pinfo, offset)
    local len = tvb(offset + 2, 2):uint()
    if len <= CSTA_HEADER then return tvb:len() - offset end
    return len
end

local function csta_pdu(tvb, pinfo, tree)
    local len = tvb:len()
    local inv = tvb(4, 4):string()
    local t = tree:add(csta, tvb(), "CSTA " .. inv)
    t:add(cf.format, tvb(0, 2))
    t:add(cf.length, tvb(2, 2))
    t:add(cf.invoke_id, tvb(4, 4))
    if len > CSTA_HEADER then
        xml:call(tvb(CSTA_HEADER):tvb(), pinfo, tree)
    end
    pinfo.cols.protocol = "CSTA"
    pinfo.cols.info:append(" CSTA " .. inv)
    return len
end

function csta.dissector(tvb, pinfo, tree)
    return dissect_tcp_pdus(tvb, tree, CSTA_HEADER, csta_pdu_len, csta_pdu, true)
end

-- ------------------------------------------------------------------ registration

local function is_digit(b) return b >= 0x30 and b <= 0x39 end

local function csta_heuristic(tvb, pinfo, tree)
    if not csta.prefs.heuristic or tvb:len() < CSTA_HEADER + 1 then return false end
    if tvb(0, 2):uint() ~= 0 or tvb(2, 2):uint() <= CSTA_HEADER then return false end
    for i = 4, 7 do
        if not is_digit(tvb(i, 1):uint()) then return false end
    end
    if tvb(8, 1):uint() ~= 0x3c then return false end   -- '<'
    pinfo.conversation = csta
    csta.dissector(tvb, pinfo, tree)
    return true
end

local function tlib_heuristic(tvb, pinfo, tree)
    if not tlib.prefs.heuristic or tvb:len() < TLIB_HEADER then return false end
    if tvb(0, 2):string() ~= "TL" or tvb(2, 1):uint() ~= 1 or tvb(3, 1):uint() ~= 0 then
        return false
    end
    pinfo.conversation = tlib
    tlib.dissector(tvb, pinfo, tree)
    return true
end

local tcp_port = DissectorTable.get("tcp.port")
local registered = { [tlib] = "", [csta] = "" }

local function register_ports(proto)
    local old = registered[proto]
    if old ~= "" then tcp_port:remove(old, proto) end
    local ports = proto.prefs.ports
    if ports ~= nil and ports ~= "" then tcp_port:add(ports, proto) end
    registered[proto] = ports or ""
end

function tlib.prefs_changed() register_ports(tlib) end
function csta.prefs_changed() register_ports(csta) end

register_ports(tlib)
register_ports(csta)
tcp_port:add_for_decode_as(tlib)
tcp_port:add_for_decode_as(csta)
csta:register_heuristic("tcp", csta_heuristic)
tlib:register_heuristic("tcp", tlib_heuristic)
