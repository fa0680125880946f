//! The repository contract on PostgreSQL. Needs a server: set `INCIDENT_PG_URL` (for
//! example with `source .ci/postgres.sh start`); without it every test prints a skip line.

mod common;

incident_store_contract::contract_tests!(optional: common::fresh_repository);
