//! Command decoding and deciding: any bytes either fail to decode with a typed error, or
//! decode to a command that round-trips through JSON and is decided without a panic.
#![cfg_attr(fuzzing, no_main)]

use chrono::{TimeZone, Utc};
use incident_core::{Actor, Channel, Command, DeskConfig, NewIncident, Role, decide};

include!("shim.rs");

fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(command) = Command::from_json(text) else { return };
    let again = Command::from_json(&command.to_json()).expect("a command round-trips");
    assert_eq!(again, command);

    let config = DeskConfig::default();
    let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let admin = Actor::new("root", Role::Administrator);
    let open = Command::Open(NewIncident::new("fuzz", Channel::Phone, 2, 2));
    let id = incident_core::IncidentId::new(t0);
    let opened = decide::open(&config, id, "INC0000001".into(), &admin, &open, t0).unwrap();
    for role in Role::ALL {
        let actor = Actor::new("someone", role);
        let _ = incident_core::execute(&config, &opened.incident, &actor, &command, t0);
    }
}

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| check(data));
