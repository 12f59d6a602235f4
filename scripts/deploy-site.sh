#!/usr/bin/env bash
# Publishes the built web page (frontend/dist) to a deployed stack, after `sam deploy`: writes
# the page's config.json from the stack's outputs (sign-in through Cognito's hosted UI),
# uploads the folder to the site bucket and has CloudFront drop its copies of index.html and
# config.json (the only files whose names do not change with their content). It never builds
# the page: build it first (./scripts/run.sh does), so what was tried is what is published.
# AWS credentials and region from the environment or profile, as the AWS CLI.
# Usage: ./scripts/deploy-site.sh [STACK_NAME]   (default: escalations, as in samconfig.toml)
set -euo pipefail
cd "$(dirname "$0")/.."

stack="${1:-escalations}"
dist=frontend/dist

if [[ ! -f "$dist/index.html" ]]; then
  echo "deploy-site: no $dist/index.html: build the page first (./scripts/run.sh builds it)" >&2
  exit 1
fi

declare -A output=()
while IFS=$'\t' read -r key value; do
  output["$key"]="$value"
done < <(aws cloudformation describe-stacks --stack-name "$stack" \
  --query 'Stacks[0].Outputs[].[OutputKey,OutputValue]' --output text)

# An output by name; every one used here is an id or a host name, so it is safe in JSON.
need() {
  local value="${output[$1]:-}"
  if [[ ! "$value" =~ ^[A-Za-z0-9._:/-]+$ ]]; then
    echo "deploy-site: stack $stack has no usable output $1 ('$value'): deploy template.yaml first" >&2
    exit 1
  fi
  printf '%s' "$value"
}

user_pool="$(need UserPoolId)"
client_id="$(need UserPoolClientId)"
domain="$(need AuthDomain)"
bucket="$(need SiteBucketName)"
distribution="$(need SiteDistributionId)"
site_url="$(need SiteUrl)"
# A user pool's id starts with its region: eu-west-2_AbCdEf123.
region="${user_pool%%_*}"

site_url_parameter="$(aws cloudformation describe-stacks --stack-name "$stack" \
  --query "Stacks[0].Parameters[?ParameterKey=='SiteUrl'].ParameterValue" --output text)"
if [[ -z "$site_url_parameter" || "$site_url_parameter" == "None" ]]; then
  echo "deploy-site: warning: the stack's SiteUrl parameter is empty, so signing in returns to" >&2
  echo "  https://localhost: run  sam deploy --guided  again and answer SiteUrl with $site_url" >&2
  echo "  (or your custom domain's address)." >&2
fi

printf '{"signin":"cognito","region":"%s","user_pool":"%s","client_id":"%s","domain":"%s"}\n' \
  "$region" "$user_pool" "$client_id" "$domain" > "$dist/config.json"
echo "deploy-site: wrote $dist/config.json for $domain"

# New files first, so a page already open never asks for one not yet uploaded; then the two
# files that name them, never cached stale; then what no page names any more.
never_stale=(--exclude index.html --exclude config.json)
# The page's files keep their names from build to build (boot.js names them), so every one is
# revalidated by browsers and CloudFront (no-cache; ETags make it a 304), never used stale.
aws s3 sync "$dist" "s3://$bucket" "${never_stale[@]}" --exclude '*.wasm' --cache-control no-cache
# The browser compiles the module as it downloads only if it is served as application/wasm.
aws s3 cp "$dist" "s3://$bucket" --recursive --exclude '*' --include '*.wasm' \
  --content-type application/wasm --cache-control no-cache
aws s3 cp "$dist/index.html" "s3://$bucket/index.html" \
  --cache-control no-cache --content-type 'text/html; charset=utf-8'
aws s3 cp "$dist/config.json" "s3://$bucket/config.json" \
  --cache-control no-cache --content-type application/json
aws s3 sync "$dist" "s3://$bucket" "${never_stale[@]}" --delete --cache-control no-cache

aws cloudfront create-invalidation --distribution-id "$distribution" \
  --paths '/*' --query 'Invalidation.Id' --output text
echo "deploy-site: published $dist to $site_url"
