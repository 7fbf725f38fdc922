@hot_desking
Feature: Hot Desking
  A guest extension is associated with a host device ("hoteling"): while they are associated,
  the host's calls reach the guest. A client asks for the association with private service 1
  and cancels it with private service 2; T-Server reports each change with EventPrivateInfo 1
  or 2 to every client registered on the guest extension. On the switch link both services
  are an Escape carrying the Genesys-specific guestAssociatedExtension, and both events come
  from a PrivateEvent carrying guestAssociatedEvent.

  Background:
    Given a client "desk" registered on the guest extension

  @HD-SVC-1
  Scenario: Initiate hot-desking associates the guest extension with a host device
    Service 1 specifies the host device number as an HOST_DN Extensions attribute; T-Server
    sends the corresponding EventPrivateInfo when the association is successfully performed.
    When "desk" requests private service 1 on the guest extension with HOST_DN the host extension
    Then T-Server answers "desk" with EventPrivateInfo 1
    And the answer echoes the request's ReferenceID
    And the CSTA link carried an Escape with guestAssociatedExtension to associate the guest extension and the host extension
    And every CSTA document of the scenario is in the profile's CSTA and private namespaces

  @HD-EVT-1
  Scenario: Hot-desking established reports the guest and its host
    Event 1: successful association between guest and host device was established.
    ThisDN is the guest extension, OtherDN the host associated with it, PrivateMsgID 1.
    When "desk" requests private service 1 on the guest extension with HOST_DN the host extension
    Then T-Server answers "desk" with EventPrivateInfo 1
    And its ThisDN is the guest extension
    And its OtherDN is the host extension
    And its PrivateMsgID is 1
    And the switch sent a PrivateEvent with guestAssociatedEvent that the guest extension is associated with the host extension
    And EventPrivateInfo 1 on the T-Lib link has ThisDN the guest extension and OtherDN the host extension

  @HD-EVT-1
  Scenario: Hot-desking established reaches every client registered on the guest extension
    Private events go to every client registered on ThisDN, and to no client registered
    only on another DN.
    Given a client "monitor" registered on the guest extension
    And a client "outsider" registered only on the other extension
    When "desk" requests private service 1 on the guest extension with HOST_DN the host extension
    Then "monitor" receives EventPrivateInfo 1 for the guest extension
    And its OtherDN is the host extension
    And "outsider" does not receive EventPrivateInfo 1

  @HD-EVT-1
  Scenario: A client that unregistered the guest extension receives none of its events
    Registering a DN lets a client receive its events; unregistering it ends that.
    Given a client "monitor" registered on the guest extension
    When "monitor" unregisters the guest extension
    Then T-Server answers "monitor" with EventUnregistered for the guest extension
    When "desk" requests private service 1 on the guest extension with HOST_DN the host extension
    Then T-Server answers "desk" with EventPrivateInfo 1
    And "monitor" does not receive EventPrivateInfo 1
    When "monitor" unregisters the guest extension
    Then T-Server answers "monitor" with the EventError of TS-ERR-UNREGISTERED

  @HD-SVC-2
  Scenario: Cancel hot-desking de-associates the guest extension from its host
    Service 2 de-associates the guest extension from the host device; T-Server sends the
    corresponding EventPrivateInfo when the de-association is successfully performed.
    Given the guest extension is associated with the host extension
    When "desk" requests private service 2 on the guest extension
    Then T-Server answers "desk" with EventPrivateInfo 2
    And the answer echoes the request's ReferenceID
    And the CSTA link carried an Escape with guestAssociatedExtension to dissociate the guest extension
    And every CSTA document of the scenario is in the profile's CSTA and private namespaces

  @HD-EVT-2
  Scenario: Hot-desking cancelled reports the guest and the host it was associated with
    Event 2: association between guest and host device was terminated. ThisDN is the guest
    extension, OtherDN the host (if known) that was associated with it, PrivateMsgID 2.
    Given the guest extension is associated with the host extension
    When "desk" requests private service 2 on the guest extension
    Then T-Server answers "desk" with EventPrivateInfo 2
    And its ThisDN is the guest extension
    And its OtherDN is the host extension
    And its PrivateMsgID is 2
    And the switch sent a PrivateEvent with guestAssociatedEvent that the guest extension was dissociated from the host extension
    And EventPrivateInfo 2 on the T-Lib link has ThisDN the guest extension and OtherDN the host extension

  @HD-EVT-2
  Scenario: Hot-desking cancelled reaches every client registered on the guest extension
    Given the guest extension is associated with the host extension
    And a client "monitor" registered on the guest extension
    And a client "outsider" registered only on the other extension
    When "desk" requests private service 2 on the guest extension
    Then "monitor" receives EventPrivateInfo 2 for the guest extension
    And its OtherDN is the host extension
    And "outsider" does not receive EventPrivateInfo 2

  @HD-ERR-ALREADY
  Scenario: Initiate hot-desking when the association is already present
    If the association is already present, T-Server distributes an EventError instead.
    Given the guest extension is associated with the host extension
    When "desk" requests private service 1 on the guest extension with HOST_DN the host extension
    Then T-Server answers "desk" with the EventError of HD-ERR-ALREADY
    And the answer echoes the request's ReferenceID
    And the guest extension is still associated with the host extension

  @HD-ERR-CANNOT
  Scenario Outline: Initiate hot-desking when the association cannot be performed (<why>)
    If the association cannot be performed, T-Server distributes an EventError instead. The
    refused request leaves nothing behind: the next one gets its own answer.
    When "desk" requests private service 1 on the guest extension with HOST_DN the <host> extension
    Then T-Server answers "desk" with the EventError of HD-ERR-CANNOT
    And the answer echoes the request's ReferenceID
    And the guest extension is still not associated
    When "desk" requests private service 1 on the guest extension with HOST_DN the host extension
    Then T-Server answers "desk" with EventPrivateInfo 1
    And the answer echoes the request's ReferenceID

    Examples:
      | host         | why                                  |
      | unknown host | the host is not a device of the switch |
      | busy host    | the switch refuses the host device     |

  @HD-ERR-ABSENT
  Scenario: Cancel hot-desking when no association is present
    If an association is not present, T-Server distributes an EventError.
    When "desk" requests private service 2 on the guest extension
    Then T-Server answers "desk" with the EventError of HD-ERR-ABSENT
    And the answer echoes the request's ReferenceID
    And the guest extension is still not associated

  @HD-ERR-NO-HOST
  Scenario: Initiate hot-desking without the HOST_DN key
    The host is given only by the HOST_DN Extensions key; without it there is nothing to
    associate.
    When "desk" requests private service 1 on the guest extension
    Then T-Server answers "desk" with the EventError of HD-ERR-NO-HOST
    And T-Server sent no connector request to the switch for it
    And the guest extension is still not associated

  @TS-ERR-UNREGISTERED
  Scenario: Initiate hot-desking on a guest extension the client has not registered
    A client may request services only for the DNs it registered.
    Given a client "outsider" registered only on the other extension
    When "outsider" requests private service 1 on the guest extension with HOST_DN the host extension
    Then T-Server answers "outsider" with the EventError of TS-ERR-UNREGISTERED
    And T-Server sent no connector request to the switch for it
    And the guest extension is still not associated

  @TS-ERR-SERVICE
  Scenario: Request a private service number that T-Server does not provide
    When "desk" requests private service 4242 on the guest extension
    Then T-Server answers "desk" with the EventError of TS-ERR-SERVICE
    And the answer echoes the request's ReferenceID
    And T-Server sent no connector request to the switch for it
    And the guest extension is still not associated

  @TS-ERR-NO-THISDN
  Scenario: Request hot-desking, or register a DN, without ThisDN
    A request that names no DN is refused, a registration as much as a private service.
    When "desk" requests private service 1 without ThisDN
    Then T-Server answers "desk" with the EventError of TS-ERR-NO-THISDN
    And T-Server sent no connector request to the switch for it
    And the guest extension is still not associated
    When "desk" registers without ThisDN
    Then T-Server answers "desk" with the EventError of TS-ERR-NO-THISDN

  @TS-ERR-DN-UNKNOWN
  Scenario: Register a DN the switch does not configure
    When "desk" registers the unconfigured extension
    Then T-Server answers "desk" with the EventError of TS-ERR-DN-UNKNOWN

  @TS-ERR-NO-LINK
  Scenario: Initiate hot-desking while the switch link is down
    Without its switch link T-Server cannot perform the association: clients are told the
    link is down, and requests fail.
    Given the link between T-Server and the switch is down
    Then every client registered on the guest extension received EventLinkDisconnected
    When "desk" requests private service 1 on the guest extension with HOST_DN the host extension
    Then T-Server answers "desk" with the EventError of TS-ERR-NO-LINK
    And T-Server sent no connector request to the switch for it
    When the link between T-Server and the switch comes back
    Then every client registered on the guest extension received EventLinkConnected
    When "desk" requests private service 1 on the guest extension with HOST_DN the host extension
    Then T-Server answers "desk" with EventPrivateInfo 1
