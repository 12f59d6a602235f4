#!/usr/bin/env python3
"""Holds template.yaml's access to the case table to exactly what the code calls.

Each function's role may call only the DynamoDB actions in FUNCTIONS below, on the table, and
Query on the open-clocks index only where a use case queries it. The table was derived by
following each function's routes (template.yaml's events) to the use cases of crates/app, the
Store methods they call (crates/store) and the DynamoDB calls the adapter makes for each
(crates/store-dynamodb: lib.rs, transactions.rs, config.rs). A transaction
(TransactWriteItems) is authorised per item: PutItem for a Put, UpdateItem for an Update,
DeleteItem for a Delete, ConditionCheckItem for a ConditionCheck (there is no IAM action
dynamodb:TransactWriteItems). Change the code's calls, change the table, and this test says
which template entry must follow.

Also checked: no function may Scan or hold a dynamodb wildcard, no SAM DynamoDB policy
template (DynamoDBCrudPolicy, DynamoDBReadPolicy, ...) is left, every function's role sits
under the stack's role path, the table's resource policy and the key's policy admit exactly
those roles (and the optional operator and break-glass roles), and the user pool requires
TOTP MFA, has threat protection and its sign-in event export, and mails through SES.

Usage: template_policies.py [TEMPLATE]   (PyYAML: the cfn-lint or checkov tools venv has it)
"""
import sys
import unittest
from pathlib import Path

import yaml

TEMPLATE = Path(__file__).resolve().parent.parent / "template.yaml"

TABLE = {"Fn::GetAtt": ["CasesTable", "Arn"]}
INDEX = {"Fn::Sub": "${CasesTable.Arn}/index/open-clocks"}
ROLE_PATH = {"Fn::Sub": "/${AWS::StackName}/${AWS::Region}/functions/"}
FUNCTION_ROLES = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${AWS::StackName}/${AWS::Region}/functions/*"}
ADMITTED = [
    FUNCTION_ROLES,
    {"Fn::If": ["HasOperatorRole", {"Ref": "OperatorRoleArn"}, {"Ref": "AWS::NoValue"}]},
    {"Fn::If": ["HasBreakGlassRole", {"Ref": "BreakGlassRoleArn"}, {"Ref": "AWS::NoValue"}]},
]

# Each function: its routes (or schedule), then every DynamoDB action it may call, with the
# Store methods (use cases) that need it. "(index)" actions are on the open-clocks index.
FUNCTIONS = {
    "RaiseFunction": {
        "routes": {("POST", "/api/cases")},
        "table": {
            # partnership (the caller's configuration); match_secret (reads back a secret
            # stored first by someone else); idempotent_case and create_case_noting's replay
            # (the idempotency key, then the case it names: load_case)
            "dynamodb:GetItem",
            # open_cases_about (the duplicate check); chronology (the answer's detail)
            "dynamodb:Query",
            # match_secret (conditional put on first use); create_case_noting's transaction:
            # Put of the case, the idempotency key, its events and list entries
            "dynamodb:PutItem",
            # create_case_noting's transaction: Update of each notice it plans (the outbox)
            "dynamodb:UpdateItem",
        },
        "index": set(),
    },
    "RespondFunction": {
        "routes": {
            ("POST", "/api/cases/{id}/responses"),
            ("POST", "/api/cases/{id}/submissions"),
            ("POST", "/api/cases/{id}/resolution"),
            ("POST", "/api/cases/{id}/withdrawal"),
            ("POST", "/api/cases/{id}/action-completions"),
            ("POST", "/api/cases/{id}/forms/{form}"),
            ("POST", "/api/me/calendar-feed"),
            ("DELETE", "/api/me/calendar-feed"),
        },
        "table": {
            # load_case (the case acted on); partnership; apply_noting's read after a lost
            # race (NotFound or Conflict)
            "dynamodb:GetItem",
            # chronology (the answer's detail)
            "dynamodb:Query",
            # apply_noting's transaction: Put of the case (conditional on its version), its
            # events and list entries; put_calendar_feed (create or replace a feed)
            "dynamodb:PutItem",
            # apply_noting's transaction: Update of each notice the change plans (the outbox)
            "dynamodb:UpdateItem",
            # delete_calendar_feed (stopping a feed); apply_noting's transaction: Delete of
            # the case's entries in the work queues it leaves
            "dynamodb:DeleteItem",
        },
        "index": set(),
    },
    "EscalateFunction": {
        "routes": {("POST", "/api/cases/{id}/escalations")},
        "table": {
            # load_case; partnership; apply_noting's read after a lost race
            "dynamodb:GetItem",
            # chronology (the answer's detail)
            "dynamodb:Query",
            # apply_noting's transaction: Put of the case, its events and list entries
            "dynamodb:PutItem",
            # apply_noting's transaction: Update of each notice the escalation plans
            "dynamodb:UpdateItem",
            # apply_noting's transaction: Delete of the case's entries in the work queues it
            # leaves (the side that escalated is no longer the one to move)
            "dynamodb:DeleteItem",
        },
        "index": set(),
    },
    "ReportFunction": {
        "routes": {("GET", "/api/reports"), ("GET", "/api/overview")},
        "table": {
            # partnership; load_case (resolved cases read in full)
            "dynamodb:GetItem",
            # list_cases (every case in the period, the overview's counts)
            "dynamodb:Query",
        },
        "index": set(),
    },
    "AdminFunction": {
        "routes": {
            ("GET", "/api/admin"),
            ("GET", "/api/admin/closure-days/preview"),
            ("POST", "/api/admin/changes"),
        },
        "table": {
            # partnership_versioned; load_case (the deadlines a closure day moves);
            # apply_noting's read after a lost race
            "dynamodb:GetItem",
            # partnership_changes (the record of changes)
            "dynamodb:Query",
            # change_partnership's transaction: Put of the change's record; apply_noting (a
            # moved deadline): Put of the case, its events and list entries
            "dynamodb:PutItem",
            # change_partnership's transaction: Update of the configuration, conditional on
            # its version; apply_noting: Update of the notices a moved deadline plans
            "dynamodb:UpdateItem",
            # apply_noting's transaction: Delete of the work-queue entries a case leaves
            "dynamodb:DeleteItem",
        },
        "index": {
            # due_by (every open clock, to find the deadlines a closure day moves)
            "dynamodb:Query",
        },
    },
    "CasesFunction": {
        # Every GET no other function routes (the greedy proxy): me, procedures, queue,
        # lists, a case, its forms, its deadline, its access history and export, the
        # caller's calendar feed; and the calendar feed itself, without authorizer.
        "routes": {("GET", "/api/{proxy+}"), ("GET", "/api/calendar/{token}")},
        "table": {
            # partnership; load_case (a case, a form, a deadline, an export; the queue's cases
            # whose next move needs the whole case); calendar_feed (the feed's secret hash)
            "dynamodb:GetItem",
            # list_cases (lists, the work queue, a calendar feed's deadlines); chronology;
            # notices (an export); access_history (who has read a case, an export)
            "dynamodb:Query",
            # record_access: every read of a case (view, form, deadline, export) appended to
            # its access history, a conditional put (never an overwrite, never a delete)
            "dynamodb:PutItem",
        },
        "index": set(),
    },
    "SweepFunction": {
        "routes": set(),  # EventBridge Scheduler, every five minutes
        "table": {
            # partnership (each partnership's configuration); load_case (record_breaches, and
            # each notice's case before it is sent); apply_noting's read after a lost race;
            # retention: reading an expired closed case before erasing it
            "dynamodb:GetItem",
            # partnerships (the registry partition); retention: a closed case's items
            "dynamodb:Query",
            # apply_noting (a breach): Put of the case, its events and list entries;
            # finish_notice (sent): Put of the ledger entry in its transaction; retention:
            # the erased case's items
            "dynamodb:PutItem",
            # apply_noting: Update of the notices a breach plans; claim_notice (the lease);
            # release_notice (retry later); retention: the erased case's items
            "dynamodb:UpdateItem",
            # finish_notice: Delete of the outbox item (in the sent transaction, or alone
            # when a notice is dropped)
            "dynamodb:DeleteItem",
        },
        "index": {
            # due_by (the open clocks due) and due_notices (the pending notices due)
            "dynamodb:Query",
        },
    },
}

# What no identity policy in the template may grant on DynamoDB.
FORBIDDEN = {"dynamodb:Scan", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem", "dynamodb:PartiQLSelect",
             "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate", "dynamodb:PartiQLDelete"}

# Every item-data action: the table's resource policy denies them all to anyone else.
DATA_ACTIONS = {
    "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
    "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem", "dynamodb:PartiQLSelect", "dynamodb:PartiQLInsert",
    "dynamodb:PartiQLUpdate", "dynamodb:PartiQLDelete", "dynamodb:ExportTableToPointInTime",
    "dynamodb:RestoreTableToPointInTime",
}


class CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !GetAtt, !Sub, !If, ...) read as their
    long forms ({"Ref": ...}, {"Fn::GetAtt": [...]}, ...)."""


def _short_tag(loader, tag_suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


CloudFormationLoader.add_multi_constructor("!", _short_tag)


def load(path):
    with open(path) as f:
        return yaml.load(f, Loader=CloudFormationLoader)


def as_list(value):
    return value if isinstance(value, list) else [value]


def statements_of(policies):
    """The statements of a SAM function's Policies (inline statements only)."""
    for policy in policies:
        if isinstance(policy, dict) and "Statement" in policy:
            yield from as_list(policy["Statement"])


class TemplatePolicies(unittest.TestCase):
    template = None

    @classmethod
    def setUpClass(cls):
        cls.template = load(cls.template_path)
        cls.resources = cls.template["Resources"]
        cls.functions = {name: r for name, r in cls.resources.items()
                         if r["Type"] == "AWS::Serverless::Function"}

    def test_every_function_is_in_the_table(self):
        self.assertEqual(set(self.functions), set(FUNCTIONS),
                         "a function was added or removed: derive its DynamoDB actions and list them in FUNCTIONS")

    def test_each_function_serves_the_routes_its_actions_were_derived_from(self):
        for name, function in self.functions.items():
            routes = {(e["Properties"]["Method"], e["Properties"]["Path"])
                      for e in (function["Properties"].get("Events") or {}).values()
                      if e["Type"] == "HttpApi"}
            self.assertEqual(routes, FUNCTIONS[name]["routes"],
                             f"{name}'s routes changed: check the DynamoDB actions their use cases call")

    def test_each_function_has_exactly_its_dynamodb_actions(self):
        for name, function in self.functions.items():
            on_table, on_index = set(), set()
            for statement in statements_of(function["Properties"].get("Policies", [])):
                actions = {a for a in as_list(statement["Action"]) if a.lower().startswith("dynamodb:")}
                if not actions:
                    continue
                self.assertEqual(statement["Effect"], "Allow", name)
                for resource in as_list(statement["Resource"]):
                    if resource == TABLE:
                        on_table |= actions
                    elif resource == INDEX:
                        on_index |= actions
                    else:
                        self.fail(f"{name}: dynamodb actions on {resource!r}, neither the table nor its index")
            self.assertEqual(on_table, FUNCTIONS[name]["table"], f"{name}: actions on the table")
            self.assertEqual(on_index, FUNCTIONS[name]["index"], f"{name}: actions on the open-clocks index")

    def test_no_sam_dynamodb_policy_template_is_left(self):
        for name, function in self.functions.items():
            for policy in function["Properties"].get("Policies", []):
                if isinstance(policy, dict):
                    for key in policy:
                        self.assertFalse(key.startswith("DynamoDB") or key.endswith(("CrudPolicy", "ReadPolicy")),
                                         f"{name} still has {key}: list the actions it calls instead")

    def test_nothing_grants_scan_batches_partiql_or_a_dynamodb_wildcard(self):
        for name, resource in self.resources.items():
            for statement in self.identity_statements(resource):
                if statement.get("Effect") != "Allow":
                    continue
                for action in as_list(statement.get("Action", [])):
                    if not isinstance(action, str):
                        continue
                    lowered = action.lower()
                    self.assertNotIn(lowered, {a.lower() for a in FORBIDDEN}, f"{name} grants {action}")
                    self.assertFalse(lowered == "*" or (lowered.startswith("dynamodb:") and "*" in lowered),
                                     f"{name} grants {action}")
                self.assertNotIn("NotAction", statement, f"{name}: an Allow with NotAction")

    @staticmethod
    def identity_statements(resource):
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::Serverless::Function":
            yield from statements_of(props.get("Policies", []))
        elif resource["Type"] in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
            yield from as_list(props["PolicyDocument"]["Statement"])
        elif resource["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                yield from as_list(policy["PolicyDocument"]["Statement"])

    def test_every_function_role_sits_under_the_stacks_role_path(self):
        self.assertEqual(self.template["Globals"]["Function"]["RolePath"], ROLE_PATH)
        for name, function in self.functions.items():
            self.assertNotIn("Role", function["Properties"], f"{name} brings its own role")
            self.assertNotIn("RolePath", function["Properties"], f"{name} leaves the stack's role path")
        self.assertTrue(FUNCTION_ROLES["Fn::Sub"].endswith(ROLE_PATH["Fn::Sub"] + "*"))

    def test_the_tables_resource_policy_admits_only_the_stacks_roles(self):
        policy = self.resources["CasesTable"]["Properties"]["ResourcePolicy"]["PolicyDocument"]
        [deny] = policy["Statement"]
        self.assertEqual((deny["Effect"], deny["Principal"], deny["Resource"]), ("Deny", "*", "*"))
        self.assertEqual(set(deny["Action"]), DATA_ACTIONS)
        self.assertEqual(deny["Condition"], {"ArnNotLike": {"aws:PrincipalArn": ADMITTED}})
        for name, spec in FUNCTIONS.items():
            self.assertLessEqual(spec["table"] | spec["index"], DATA_ACTIONS, name)

    def test_the_key_is_used_through_dynamodb_by_the_stacks_roles_and_stays_manageable(self):
        key = self.resources["DataKey"]["Properties"]["KeyPolicy"]["Statement"]
        by_sid = {s["Sid"]: s for s in key}
        root = by_sid["TheAccountsIamDecidesWhoUsesTheKey"]
        self.assertEqual(root["Principal"], {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}})
        self.assertEqual((root["Effect"], root["Action"]), ("Allow", "kms:*"))
        logs = by_sid["CloudWatchLogsEncryptsThisAccountsLogGroups"]
        self.assertEqual(logs["Principal"], {"Service": {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}})
        dynamodb = by_sid["TheStacksRolesUseTheKeyThroughDynamoDb"]
        self.assertEqual(dynamodb["Effect"], "Allow")
        self.assertNotIn("kms:*", dynamodb["Action"])
        self.assertEqual(dynamodb["Condition"], {
            "StringEquals": {
                "kms:CallerAccount": {"Ref": "AWS::AccountId"},
                "kms:ViaService": {"Fn::Sub": "dynamodb.${AWS::Region}.amazonaws.com"},
            },
            "ArnLike": {"aws:PrincipalArn": ADMITTED},
        })
        # Only these three statements: nothing else is admitted by the key itself.
        self.assertEqual(len(key), 3)

    def test_the_user_pool_requires_totp_and_has_threat_protection(self):
        pool = self.resources["UserPool"]["Properties"]
        self.assertEqual(pool["MfaConfiguration"], "ON")  # a string: unquoted, YAML reads ON as true
        self.assertEqual(pool["EnabledMfas"], ["SOFTWARE_TOKEN_MFA"])
        self.assertEqual(self.template["Parameters"]["ThreatProtection"]["AllowedValues"],
                         ["OFF", "AUDIT", "ENFORCED"])
        self.assertEqual(pool["UserPoolTier"], {"Fn::If": ["HasThreatProtection", "PLUS", "ESSENTIALS"]})
        self.assertEqual(pool["UserPoolAddOns"], {"AdvancedSecurityMode": {"Ref": "ThreatProtection"}})
        delivery = self.resources["SignInEventDelivery"]
        self.assertEqual(delivery["Condition"], "HasThreatProtection")
        [config] = delivery["Properties"]["LogConfigurations"]
        self.assertEqual((config["EventSource"], config["LogLevel"]), ("userAuthEvents", "INFO"))
        self.assertIn("${SignInEventLogs}", config["CloudWatchLogsConfiguration"]["LogGroupArn"]["Fn::Sub"])
        logs = self.resources["SignInEventLogs"]
        self.assertEqual((logs["DeletionPolicy"], logs["Properties"]["RetentionInDays"]),
                         ("Retain", {"Ref": "LogRetentionDays"}))

    def test_the_user_pool_mails_through_ses_unless_told_not_to(self):
        email = self.resources["UserPool"]["Properties"]["EmailConfiguration"]["Fn::If"]
        condition, ses, default = email
        self.assertEqual(condition, "UserPoolMailThroughSes")
        self.assertEqual(ses, {
            "EmailSendingAccount": "DEVELOPER",
            "SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SenderIdentity}"},
            "From": {"Ref": "SenderAddress"},
        })
        self.assertEqual(default, {"EmailSendingAccount": "COGNITO_DEFAULT"})


if __name__ == "__main__":
    TemplatePolicies.template_path = sys.argv[1] if len(sys.argv) > 1 else TEMPLATE
    unittest.main(argv=sys.argv[:1], verbosity=1)
