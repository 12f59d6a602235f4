//! Test support shared by the adapters' tests and the benchmarks.

pub mod moto;
pub mod wire;

/// A loopback port free at the time of asking, for a server a test or benchmark starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}
