//! The OpenAPI document: generated from the handlers, committed as
//! docs/openapi.json, served at /api/v1/openapi.json, and every route is in
//! it. `DISTROFLOW_BLESS=1` rewrites the committed file.

use crate::support::{bearer, client, Server};

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");

#[test]
fn the_committed_document_is_the_generated_one() {
    let generated = distroflow_server::openapi_json();
    if std::env::var_os("DISTROFLOW_BLESS").is_some() {
        std::fs::write(COMMITTED, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json is not what the code generates: run \
         `DISTROFLOW_BLESS=1 cargo test -p distroflow-server --test it openapi` and commit it"
    );
    let doc: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
}

/// Every route of the API is registered through `routes!` (which
/// documents it); nothing is added with a bare `.route(`, but for the
/// dashboard's pages, none of which is under /api.
#[test]
fn no_route_is_added_without_its_documentation() {
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut bare = Vec::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        if path.file_name().unwrap() == "dashboard.rs" {
            for line in text.lines().filter(|l| l.contains(".route(")) {
                assert!(
                    !line.contains("\"/api"),
                    "an API route among the pages: {line}"
                );
            }
            continue;
        }
        for (i, line) in text.lines().enumerate() {
            let l = line.trim_start();
            if l.starts_with("//") {
                continue;
            }
            for call in [".route(", ".route_service(", ".nest(", ".nest_service("] {
                if l.contains(call) {
                    bare.push(format!("{}:{}: {l}", path.display(), i + 1));
                }
            }
        }
    }
    assert!(bare.is_empty(), "routes outside routes!(): {bare:#?}");
}

#[tokio::test]
async fn every_documented_route_is_served_and_the_document_too() {
    let s = Server::start();
    let c = client();
    let doc: serde_json::Value = serde_json::from_str(&distroflow_server::openapi_json()).unwrap();
    let served: serde_json::Value = c
        .get(s.url("/api/v1/openapi.json"))
        .header("authorization", bearer())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served, doc);
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let url = s.url(&path.replace("{id}", "999"));
            let r = c
                .request(method.to_uppercase().parse().unwrap(), url)
                .header("authorization", bearer())
                .query(&[("offline", "true")])
                .json(&serde_json::json!({"to": ["x"], "text": "hi", "at": "in 2h"}))
                .send()
                .await
                .unwrap();
            let status = r.status();
            let body: serde_json::Value = r.json().await.unwrap_or_default();
            assert!(
                status != 405 && body["error"]["message"] != "no such route",
                "{method} {path}: {status} {body}"
            );
        }
    }
}
