//! The local stack's security headers are template.yaml's `SecurityHeaders` policy, less the
//! three things plain http on loopback cannot or need not say — and every response carries
//! them.

mod site_stack;

use std::collections::BTreeMap;

use escalations_local::site::SECURITY_HEADERS;
use site_stack::header;

/// The `SecurityHeaders` resource's headers, lower-cased name → value, read from the text of
/// template.yaml (its `!Sub` tags defeat YAML parsers).
fn deployed_headers() -> BTreeMap<String, String> {
    let template =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml"))
            .unwrap();
    let resource: Vec<&str> = template
        .lines()
        .skip_while(|l| *l != "  SecurityHeaders:")
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with("   "))
        .map(str::trim)
        .collect();
    assert!(!resource.is_empty(), "no SecurityHeaders resource");
    let value = |key: &str| {
        resource.iter().find_map(|l| l.strip_prefix(key)).map(|v| {
            v.trim_start_matches("!Sub")
                .trim()
                .trim_matches('"')
                .to_owned()
        })
    };
    let mut headers = BTreeMap::new();
    let mut put = |name: &str, v: Option<String>| {
        if let Some(v) = v {
            headers.insert(name.to_owned(), v);
        }
    };
    put(
        "content-security-policy",
        value("ContentSecurityPolicy: ").filter(|v| v.contains("default-src")),
    );
    put(
        "strict-transport-security",
        value("StrictTransportSecurity:").map(|_| {
            format!(
                "max-age={}",
                value("AccessControlMaxAgeSec: ").unwrap_or_default()
            )
        }),
    );
    put(
        "x-content-type-options",
        value("ContentTypeOptions:").map(|_| "nosniff".to_owned()),
    );
    put("x-frame-options", value("FrameOption: "));
    put(
        "referrer-policy",
        value("ReferrerPolicy: no-referrer").map(|_| "no-referrer".to_owned()),
    );
    // Custom headers: `- Header: Name` followed by `Value: ...`.
    for (i, line) in resource.iter().enumerate() {
        if let Some(name) = line.strip_prefix("- Header: ") {
            let v = resource[i + 1]
                .strip_prefix("Value: ")
                .unwrap()
                .trim_matches('"');
            put(&name.to_ascii_lowercase(), Some(v.to_owned()));
        }
    }
    headers
}

/// A CSP's directives: name → sources.
fn directives(csp: &str) -> BTreeMap<&str, Vec<&str>> {
    csp.split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut words = d.split_whitespace();
            (words.next().unwrap(), words.collect())
        })
        .collect()
}

fn local() -> BTreeMap<&'static str, &'static str> {
    SECURITY_HEADERS.iter().copied().collect()
}

#[test]
fn the_local_headers_are_the_deployed_ones_but_for_three_documented_differences() {
    let deployed = deployed_headers();
    let local = local();
    assert_eq!(
        SECURITY_HEADERS.len(),
        local.len(),
        "a header defined twice"
    );

    // 1. No Strict-Transport-Security: the local stack is plain http on loopback.
    assert!(
        deployed.contains_key("strict-transport-security"),
        "{deployed:?}"
    );
    assert!(!local.contains_key("strict-transport-security"));

    // Every other header is the same header with the same value.
    let deployed_names: Vec<&str> = deployed
        .keys()
        .map(String::as_str)
        .filter(|n| *n != "strict-transport-security")
        .collect();
    assert_eq!(deployed_names, local.keys().copied().collect::<Vec<_>>());
    for (name, value) in &local {
        if *name != "content-security-policy" {
            assert_eq!(deployed[*name], *value, "{name}");
        }
    }

    // The CSP, directive by directive.
    let deployed_csp = directives(&deployed["content-security-policy"]);
    let local_csp = directives(local["content-security-policy"]);
    // 2. No upgrade-insecure-requests: there is no https to upgrade to.
    assert!(deployed_csp.contains_key("upgrade-insecure-requests"));
    assert!(!local_csp.contains_key("upgrade-insecure-requests"));
    // 3. connect-src without the Cognito hosts: the local page signs in through its origin.
    let cognito = |source: &&str| source.contains("cognito");
    assert!(
        deployed_csp["connect-src"].iter().any(cognito),
        "{deployed_csp:?}"
    );
    assert!(!local_csp["connect-src"].iter().any(cognito));
    for (directive, sources) in &deployed_csp {
        match *directive {
            "upgrade-insecure-requests" => {}
            "connect-src" => {
                let kept: Vec<&str> = sources.iter().copied().filter(|s| !cognito(s)).collect();
                assert_eq!(local_csp[directive], kept, "{directive}");
            }
            _ => assert_eq!(local_csp.get(directive), Some(sources), "{directive}"),
        }
    }
    assert_eq!(local_csp.len() + 1, deployed_csp.len(), "{local_csp:?}");
}

#[tokio::test]
async fn every_response_carries_the_headers_the_page_the_api_and_dev() {
    let stack = site_stack::start().await;
    for (path, status) in [
        ("/", 200),
        ("/cases/abc", 200),
        ("/app.js", 200),
        ("/missing.css", 404),
        ("/api/me", 401),
        ("/config.json", 200),
        ("/dev/people", 200),
        ("/dev/clock", 200),
        ("/dev/nothing", 404),
    ] {
        let response = stack.get(path).await;
        assert_eq!(response.status().as_u16(), status, "{path}");
        for (name, value) in SECURITY_HEADERS {
            assert_eq!(header(&response, name), *value, "{path}: {name}");
        }
        assert_eq!(header(&response, "strict-transport-security"), "", "{path}");
    }
    let unbuilt = site_stack::start_unbuilt().await;
    let response = unbuilt.get("/").await;
    assert_eq!(response.status().as_u16(), 503);
    for (name, value) in SECURITY_HEADERS {
        assert_eq!(header(&response, name), *value, "unbuilt /: {name}");
    }
}
