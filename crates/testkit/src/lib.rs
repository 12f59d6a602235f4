//! Test support shared by the adapters' tests and the benchmarks.

pub mod moto;
