@call_recording
Feature: Call Recording
  A client starts, stops, suspends and resumes the recording of a call on a DN with private
  services 3013 to 3016; T-Server reports each change with the private event of the same
  number to every client registered on the monitored DN. On the switch link the services are
  CSTA RecordMessage, Stop, Suspend and Resume. The seed documents no Extensions key for any
  of them.

  Background:
    Given a client "agent" registered on the agent extension
    And an established call from the caller extension to the agent extension

  @REC-SVC-3013
  Scenario: Initiate a call recording
    Service 3013 initiates a call recording (CSTA Record): ThisDN is the device requested to
    start the recording, ConnID the call to be recorded.
    When "agent" requests private service 3013 on the agent extension for the call
    Then T-Server answers "agent" with EventPrivateInfo 3013
    And the answer echoes the request's ReferenceID
    And the CSTA link carried RecordMessage for the call at the agent extension
    And the switch's RecordEvent at the agent extension names the message its RecordMessageResponse created

  @REC-EVT-3013
  Scenario: Call recording started reports the monitored DN and the recorded call
    Event 3013: private event call record started. ThisDN is the monitored DN; ConnID is the
    recorded call. Deviation noted: the seed describes this ConnID as "the call that finished
    recording"; the suite reads it as the call being recorded.
    Given a client "supervisor" registered on the agent extension
    And a client "outsider" registered only on the other extension
    When "agent" requests private service 3013 on the agent extension for the call
    Then T-Server answers "agent" with EventPrivateInfo 3013
    And its ThisDN is the agent extension
    And its ConnID is the call's ConnID
    And its PrivateMsgID is 3013
    And it carries no Extensions
    And the switch sent RecordEvent for the call at the agent extension
    And EventPrivateInfo 3013 on the T-Lib link has ThisDN the agent extension and the call's ConnID
    And "supervisor" receives EventPrivateInfo 3013 for the agent extension
    And its ConnID is the call's ConnID
    And "outsider" does not receive EventPrivateInfo 3013

  @REC-SVC-3014
  Scenario: Stop a call recording
    Service 3014 stops a call recording when the recording is active on the DN (CSTA Stop).
    Given recording of the call is active on the agent extension
    When "agent" requests private service 3014 on the agent extension for the call
    Then T-Server answers "agent" with EventPrivateInfo 3014
    And the answer echoes the request's ReferenceID
    And the CSTA link carried Stop for the call at the agent extension

  @REC-EVT-3014
  Scenario: Call recording stopped reports the monitored DN and the recorded call
    Event 3014: private event call recording stopped. ThisDN is the monitored DN; ConnID the
    call that finished recording.
    Given recording of the call is active on the agent extension
    And a client "supervisor" registered on the agent extension
    And a client "outsider" registered only on the other extension
    When "agent" requests private service 3014 on the agent extension for the call
    Then T-Server answers "agent" with EventPrivateInfo 3014
    And its ThisDN is the agent extension
    And its ConnID is the call's ConnID
    And its PrivateMsgID is 3014
    And it carries no Extensions
    And the switch sent StopEvent for the call at the agent extension
    And EventPrivateInfo 3014 on the T-Lib link has ThisDN the agent extension and the call's ConnID
    And "supervisor" receives EventPrivateInfo 3014 for the agent extension
    And "outsider" does not receive EventPrivateInfo 3014

  @REC-SVC-3015
  Scenario: Suspend a call recording
    Service 3015 suspends a call recording when the recording is active on a DN (CSTA Suspend).
    Given recording of the call is active on the agent extension
    When "agent" requests private service 3015 on the agent extension for the call
    Then T-Server answers "agent" with EventPrivateInfo 3015
    And the answer echoes the request's ReferenceID
    And the CSTA link carried Suspend for the call at the agent extension

  @REC-EVT-3015
  Scenario: Call recording suspended reports the monitored DN and the recorded call
    Event 3015: private event call recording suspended.
    Given recording of the call is active on the agent extension
    And a client "supervisor" registered on the agent extension
    And a client "outsider" registered only on the other extension
    When "agent" requests private service 3015 on the agent extension for the call
    Then T-Server answers "agent" with EventPrivateInfo 3015
    And its ThisDN is the agent extension
    And its ConnID is the call's ConnID
    And its PrivateMsgID is 3015
    And it carries no Extensions
    And the switch sent SuspendRecordEvent for the call at the agent extension
    And EventPrivateInfo 3015 on the T-Lib link has ThisDN the agent extension and the call's ConnID
    And "supervisor" receives EventPrivateInfo 3015 for the agent extension
    And "outsider" does not receive EventPrivateInfo 3015

  @REC-SVC-3016
  Scenario: Resume a call recording
    Service 3016 resumes a call recording when the recording is suspended on a DN (CSTA Resume).
    Given recording of the call is suspended on the agent extension
    When "agent" requests private service 3016 on the agent extension for the call
    Then T-Server answers "agent" with EventPrivateInfo 3016
    And the answer echoes the request's ReferenceID
    And the CSTA link carried Resume for the call at the agent extension
    And the recording of the call is active again on the agent extension

  @REC-EVT-3016
  Scenario: Call recording resumed reports the monitored DN and the recorded call
    Event 3016: private event call recording resumed. Deviation noted: the seed describes
    3016 as "call recording suspended", a copy of the 3015 row; the suite treats it as resumed.
    Given recording of the call is suspended on the agent extension
    And a client "supervisor" registered on the agent extension
    And a client "outsider" registered only on the other extension
    When "agent" requests private service 3016 on the agent extension for the call
    Then T-Server answers "agent" with EventPrivateInfo 3016
    And its ThisDN is the agent extension
    And its ConnID is the call's ConnID
    And its PrivateMsgID is 3016
    And it carries no Extensions
    And the switch sent RecordEvent for the call at the agent extension
    And EventPrivateInfo 3016 on the T-Lib link has ThisDN the agent extension and the call's ConnID
    And "supervisor" receives EventPrivateInfo 3016 for the agent extension
    And "outsider" does not receive EventPrivateInfo 3016

  @REC-SVC-3013 @REC-SVC-3015 @REC-SVC-3016 @REC-SVC-3014
  @REC-EVT-3013 @REC-EVT-3015 @REC-EVT-3016 @REC-EVT-3014
  Scenario: The whole recording life cycle: start, suspend, resume, stop
    Each step of the life cycle is answered by its own private event on the same call.
    Given a client "supervisor" registered on the agent extension
    When "agent" requests private service 3013 on the agent extension for the call
    Then T-Server answers "agent" with EventPrivateInfo 3013
    And "supervisor" receives EventPrivateInfo 3013 for the agent extension
    And its ConnID is the call's ConnID
    When "agent" requests private service 3015 on the agent extension for the call
    Then T-Server answers "agent" with EventPrivateInfo 3015
    And "supervisor" receives EventPrivateInfo 3015 for the agent extension
    And its ConnID is the call's ConnID
    When "agent" requests private service 3016 on the agent extension for the call
    Then T-Server answers "agent" with EventPrivateInfo 3016
    And "supervisor" receives EventPrivateInfo 3016 for the agent extension
    And its ConnID is the call's ConnID
    When "agent" requests private service 3014 on the agent extension for the call
    Then T-Server answers "agent" with EventPrivateInfo 3014
    And "supervisor" receives EventPrivateInfo 3014 for the agent extension
    And its ConnID is the call's ConnID
    And every CSTA document of the scenario is in the profile's CSTA and private namespaces

  @REC-ERR-NOT-RECORDING
  Scenario Outline: <action> a call recording that is not active
    Stop and suspend apply only when the call recording is active on the DN.
    When "agent" requests private service <service> on the agent extension for the call
    Then T-Server answers "agent" with the EventError of REC-ERR-NOT-RECORDING
    And the answer echoes the request's ReferenceID
    And the call is still not recorded on the agent extension

    Examples:
      | action  | service |
      | Stop    | 3014    |
      | Suspend | 3015    |

  @REC-ERR-NOT-RECORDING
  Scenario: Suspend a call recording that is already suspended
    Given recording of the call is suspended on the agent extension
    When "agent" requests private service 3015 on the agent extension for the call
    Then T-Server answers "agent" with the EventError of REC-ERR-NOT-RECORDING
    And the recording of the call is still suspended on the agent extension

  @REC-ERR-NOT-SUSPENDED
  Scenario: Resume a call recording that is active, not suspended
    Resume applies only when the call recording is suspended on the DN.
    Given recording of the call is active on the agent extension
    When "agent" requests private service 3016 on the agent extension for the call
    Then T-Server answers "agent" with the EventError of REC-ERR-NOT-SUSPENDED
    And the answer echoes the request's ReferenceID
    And the recording of the call is still active on the agent extension

  @REC-ERR-NOT-SUSPENDED
  Scenario: Resume a call that is not recorded at all
    When "agent" requests private service 3016 on the agent extension for the call
    Then T-Server answers "agent" with the EventError of REC-ERR-NOT-SUSPENDED
    And the call is still not recorded on the agent extension

  @REC-ERR-ALREADY
  Scenario: Initiate a call recording that is already active
    Given recording of the call is active on the agent extension
    When "agent" requests private service 3013 on the agent extension for the call
    Then T-Server answers "agent" with the EventError of REC-ERR-ALREADY
    And the recording of the call is still active on the agent extension

  @TS-ERR-CONNID
  Scenario Outline: Request service <service> with a ConnID T-Server does not know
    When "agent" requests private service <service> on the agent extension for an unknown ConnID
    Then T-Server answers "agent" with the EventError of TS-ERR-CONNID
    And the answer echoes the request's ReferenceID
    And T-Server sent no connector request to the switch for it

    Examples:
      | service |
      | 3013    |
      | 3014    |
      | 3015    |
      | 3016    |

  @TS-ERR-CONNID
  Scenario Outline: Request service <service> with a ConnID that T-Server issued on another DN
    The call's ConnID belongs to the caller and agent extensions. On the other extension it is
    not a ConnID of a call there, so T-Server refuses it itself, by the error table.
    Given a client "outsider" registered only on the other extension
    When "outsider" requests private service <service> on the other extension for the call
    Then T-Server answers "outsider" with the EventError of TS-ERR-CONNID
    And T-Server sent no connector request to the switch for it
    And the call is still not recorded on the agent extension

    Examples:
      | service |
      | 3013    |
      | 3014    |
      | 3015    |
      | 3016    |

  @TS-ERR-NO-CONNID
  Scenario: Initiate a call recording without a ConnID
    When "agent" requests private service 3013 on the agent extension
    Then T-Server answers "agent" with the EventError of TS-ERR-NO-CONNID
    And T-Server sent no connector request to the switch for it
    And the call is still not recorded on the agent extension

  @TS-ERR-UNREGISTERED
  Scenario: Initiate a call recording on a DN the client has not registered
    Given a client "outsider" registered only on the other extension
    When "outsider" requests private service 3013 on the agent extension for the call
    Then T-Server answers "outsider" with the EventError of TS-ERR-UNREGISTERED
    And T-Server sent no connector request to the switch for it
    And the call is still not recorded on the agent extension
