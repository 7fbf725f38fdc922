@account_codes
Feature: Account Codes
  An account code set on a device is reported with EventPrivateInfo 501 to every client
  registered on the device. ThisDN is the device, ConnID the call the code belongs to (the
  last active call of the device), PrivateID is 0, and the code travels in the Extensions
  key that the T-Server option accode-name names (AccountCode by default). With the option
  accode-privateservice on, a client may also set the code with private service 501.

  Background:
    Given a client "agent" registered on the agent extension

  @ACC-EVT-501
  Scenario: An account code entered on the device is reported with EventPrivateInfo 501
    The account code set on the device: ThisDN this device, ConnID the call, PrivateID 0,
    and the Extensions attribute with the key named by accode-name.
    Given an established call from the caller extension to the agent extension
    When the account code is entered on the keypad of the agent extension
    Then "agent" receives EventPrivateInfo 501 for the agent extension
    And its ThisDN is the agent extension
    And its ConnID is the call's ConnID
    And its PrivateID is 0
    And its Extensions carry the account code under the accode-name key
    And the switch sent a CallInformationEvent with the account code for the agent extension
    And EventPrivateInfo 501 on the T-Lib link has ThisDN the agent extension and the call's ConnID

  @ACC-EVT-501
  Scenario: The Extensions key follows a non-default accode-name
    The Extensions key must have the name defined by the accode-name option, whatever it is.
    Given T-Server option "accode-name" is "ProjectCode"
    And an established call from the caller extension to the agent extension
    When the account code is entered on the keypad of the agent extension
    Then "agent" receives EventPrivateInfo 501 for the agent extension
    And its Extensions carry the account code under the accode-name key
    And its PrivateID is 0

  @ACC-EVT-501
  Scenario: EventPrivateInfo 501 reaches every client registered on the device
    Every copy carries the whole row: ThisDN, ConnID, PrivateID 0 and the account code.
    Given an established call from the caller extension to the agent extension
    And a client "supervisor" registered on the agent extension
    And a client "outsider" registered only on the other extension
    When the account code is entered on the keypad of the agent extension
    Then "agent" receives EventPrivateInfo 501 for the agent extension
    And "supervisor" receives EventPrivateInfo 501 for the agent extension
    And its ConnID is the call's ConnID
    And "outsider" does not receive EventPrivateInfo 501

  @ACC-EVT-501
  Scenario: An account code entered while the device is idle is a walk-away code
    With no active call on the device there is no ConnID to report.
    When the account code is entered on the keypad of the agent extension
    Then "agent" receives EventPrivateInfo 501 for the agent extension
    And it carries no ConnID
    And its PrivateID is 0
    And its Extensions carry the account code under the accode-name key

  @ACC-EVT-501
  Scenario Outline: The account code reaches the release of its call where accode-data says (<accode-data>)
    T-Server remembers the account code of a call and adds it to EventReleased, under the
    accode-name key: in UserData with accode-data udata, in Extensions with ext.
    Given T-Server option "accode-data" is "<accode-data>"
    And an established call from the caller extension to the agent extension
    When the account code is entered on the keypad of the agent extension
    Then "agent" receives EventPrivateInfo 501 for the agent extension
    When "agent" releases the call at the agent extension
    Then T-Server answers "agent" with EventReleased carrying the account code in <attribute>
    And every CSTA document of the scenario is in the profile's CSTA and private namespaces

    Examples:
      | accode-data | attribute  |
      | udata       | UserData   |
      | ext         | Extensions |

  @ACC-EVT-501
  Scenario: With accode-data none the release of the call carries no account code
    Given T-Server option "accode-data" is "none"
    And an established call from the caller extension to the agent extension
    When the account code is entered on the keypad of the agent extension
    Then "agent" receives EventPrivateInfo 501 for the agent extension
    When "agent" releases the call at the agent extension
    Then T-Server answers "agent" with EventReleased carrying no account code

  @ACC-SVC-501
  Scenario: Set Account Code by private service 501
    With accode-privateservice on, private service 501 sets the account code of a call; the
    answer is EventPrivateInfo 501 with the code under the accode-name key.
    Given T-Server option "accode-privateservice" is "true"
    And an established call from the caller extension to the agent extension
    When "agent" sets the account code of the call with private service 501
    Then T-Server answers "agent" with EventPrivateInfo 501
    And the answer echoes the request's ReferenceID
    And its ThisDN is the agent extension
    And its ConnID is the call's ConnID
    And its PrivateID is 0
    And its Extensions carry the account code under the accode-name key
    And the CSTA link carried AssociateData for the call at the agent extension
    And every CSTA document of the scenario is in the profile's CSTA and private namespaces

  @ACC-SVC-501 @ACC-EVT-501
  Scenario: The account code set by private service 501 reaches every client registered on the device
    The requester is answered; every other client registered on the device receives the same
    EventPrivateInfo 501, with the whole row and without the requester's ReferenceID.
    Given T-Server option "accode-privateservice" is "true"
    And an established call from the caller extension to the agent extension
    And a client "supervisor" registered on the agent extension
    And a client "outsider" registered only on the other extension
    When "agent" sets the account code of the call with private service 501
    Then T-Server answers "agent" with EventPrivateInfo 501
    And "supervisor" receives EventPrivateInfo 501 for the agent extension
    And its Extensions carry the account code under the accode-name key
    And "outsider" does not receive EventPrivateInfo 501

  @ACC-SVC-501 @TS-ERR-SERVICE
  Scenario: Private service 501 does not exist while accode-privateservice is off
    Given T-Server option "accode-privateservice" is "false"
    And an established call from the caller extension to the agent extension
    When "agent" sets the account code of the call with private service 501
    Then T-Server answers "agent" with the EventError of TS-ERR-SERVICE
    And T-Server sent no connector request to the switch for it

  @ACC-ERR-NO-CODE
  Scenario: Set Account Code without the accode-name key
    Given T-Server option "accode-privateservice" is "true"
    And an established call from the caller extension to the agent extension
    When "agent" requests private service 501 on the agent extension for the call
    Then T-Server answers "agent" with the EventError of ACC-ERR-NO-CODE
    And T-Server sent no connector request to the switch for it

  @TS-ERR-CONNID
  Scenario: Set Account Code for a ConnID T-Server does not know
    Given T-Server option "accode-privateservice" is "true"
    When "agent" requests private service 501 on the agent extension for an unknown ConnID
    Then T-Server answers "agent" with the EventError of TS-ERR-CONNID
    And T-Server sent no connector request to the switch for it
