//! The web page reads procedures as the API serialises them (`GET /api/procedures/{id}`): every
//! shipped procedure must come back from its JSON exactly as the server holds it.

use escalations_core::Catalogue;
use escalations_core::procedure::Procedure;

#[test]
fn every_shipped_procedure_survives_the_json_the_api_sends() {
    let catalogue = Catalogue::builtin().unwrap();
    let mut seen = 0;
    for procedure in catalogue.iter() {
        let json = serde_json::to_string(procedure).unwrap();
        let back: Procedure = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, procedure, "{}", procedure.id);
        seen += 1;
    }
    assert!(seen >= 7, "only {seen} procedures");
}
