#!/usr/bin/env bash
# Drives one case through Sefton's whole procedure with curl, against a running local stack
# (./scripts/run.sh): the school raises it, social care answers "not resolved" at steps 1-3
# and the school escalates each time, then the chair's step-4 decision resolves it.
# Usage: ./scripts/walkthrough.sh [http://127.0.0.1:8080]
set -euo pipefail
U="${1:-http://127.0.0.1:8080}"

# The one JSON field a step needs, by path (a.b.c), with Python: no jq required.
field() { python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[k]
print(v)' "$1"; }
token() { curl -sf "$U/dev/token?partnership=sefton&person=$1" | field token; }
# call TOKEN METHOD PATH [BODY]: prints the body; fails, showing the problem, unless 2xx.
call() {
  local out status
  out=$(mktemp)
  status=$(curl -s -o "$out" -w '%{http_code}' -X "$2" "$U$3" -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/json' ${4:+--data "$4"})
  if [ "${status:0:1}" != 2 ]; then
    echo "$2 $3 answered $status:" >&2; cat "$out" >&2; echo >&2; rm -f "$out"; return 1
  fi
  cat "$out"; rm -f "$out"
}
say() { printf '%-58s %s\n' "$1" "$2"; }

if ! curl -sf -o /dev/null "$U/dev/token?partnership=sefton&person=school-practitioner"; then
  echo "no local stack answers at $U: start one with ./scripts/run.sh (or pass its URL)" >&2
  exit 1
fi
school=$(token school-practitioner)
# Each step is answered by the level it names in the other agency: "Direct Professional to
# Professional", "Manager to Manager", "Head of Service to Head of Service".
responders=(social-care-practitioner social-care-manager social-care-head-of-service)
chair=$(token chair)

view=$(call "$school" POST /api/cases '{"procedure":"sefton","receiving_agency":"social-care",
  "child":{"name":"A Child"},
  "concern":{"summary":"Referral closed without assessment","level_of_need":"s17"},
  "immediate_risk":false}')
id=$(field case.id <<<"$view")
say "school-practitioner raised $id" "next: $(field next_move.who <<<"$view") by $(field next_move.due <<<"$view")"

for step in 1 2 3; do
  responder=${responders[$((step - 1))]}
  version=$(field case.version <<<"$view")
  view=$(call "$(token "$responder")" POST "/api/cases/$id/responses" \
    "{\"version\":$version,\"outcome\":\"not-resolved\",\"reasons\":\"Threshold not agreed\"}")
  say "step $step: $responder responded: not resolved" "next: $(field next_move.task <<<"$view")"
  version=$(field case.version <<<"$view")
  view=$(call "$school" POST "/api/cases/$id/escalations" \
    "{\"version\":$version,\"reasons\":\"Still not agreed\",\"tried\":\"Manager to manager discussion\"}")
  say "school-practitioner escalated to $(field case.stage <<<"$view")" "next: $(field next_move.who <<<"$view")"
done

# "Multi-agency conflicts resolved at Steps 3 and 4 must be reported to Sefton SCP Team": the
# chair records the Report to SSCP (Appendix 2) first, from what the case already knows (the
# pre-filled values) and a line in each required field still blank.
form=$(call "$chair" GET "/api/cases/$id/forms/report-to-sscp")
report=$(python3 -c 'import json,sys
form=json.load(sys.stdin)
known={v["field"]: v["value"] for v in form["values"] if v["value"] is not None}
plain={"date": "2026-01-05", "yes-no": True, "email": "sscp@example.org"}
values={}
for f in form["form"]["fields"]:
    if f.get("filled_by"): continue
    if f["id"] in known: values[f["id"]]=known[f["id"]]
    elif not f["required"]: continue
    elif f["kind"]=="rows": values[f["id"]]=[{c["id"]: plain.get(c["kind"], "Reported at step 4") for c in f["columns"]}]
    elif f["kind"] in ("choice", "choices"): values[f["id"]]=f["options"][0] if f["kind"]=="choice" else [f["options"][0]]
    else: values[f["id"]]=plain.get(f["kind"], "Reported at step 4")
print(json.dumps({"version": form["version"], "values": values}))' <<<"$form")
view=$(call "$chair" POST "/api/cases/$id/forms/report-to-sscp" "$report")
say "chair recorded the Report to SSCP" "forms recorded: $(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["case"]["forms"]))' <<<"$view")"

version=$(field case.version <<<"$view")
view=$(call "$chair" POST "/api/cases/$id/resolution" \
  "{\"version\":$version,\"outcome\":\"Final decision: assess\",\"lessons_learned\":\"Clarify thresholds\"}")
say "chair resolved it" "status: $(field case.status.status <<<"$view")"
test "$(field case.status.status <<<"$view")" = resolved
