//! The client address: the TCP peer, or — only when that peer is a trusted proxy (`TRUSTED_PROXIES`) — the
//! rightmost `X-Forwarded-For` entry that is not itself a trusted proxy. Login, registration and throttles use it.

use std::future::{ready, Ready};
use std::net::IpAddr;
use std::str::FromStr;

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};

use crate::error::ApiError;
use crate::state::AppState;

/// An address or a CIDR block (`10.0.0.0/8`, `::1`, `fd00::/8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                prefix_matches(u128::from(u32::from(net)) << 96, u128::from(u32::from(ip)) << 96, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => prefix_matches(u128::from(net), u128::from(ip), self.prefix),
            _ => false,
        }
    }
}

fn prefix_matches(net: u128, ip: u128, prefix: u8) -> bool {
    let mask = if prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(prefix)) };
    net & mask == ip & mask
}

/// IPv4 peers on a dual-stack socket appear as `::ffff:a.b.c.d`; they are IPv4 clients.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

impl FromStr for IpNet {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (addr, prefix) = s.trim().split_once('/').map_or((s.trim(), None), |(a, p)| (a, Some(p)));
        let addr = canonical(addr.parse::<IpAddr>().map_err(|_| format!("`{s}` is not an IP address or CIDR block"))?);
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(|| format!("`{s}` has a bad prefix"))?,
        };
        Ok(Self { addr, prefix })
    }
}

/// Parses `TRUSTED_PROXIES`: a comma-separated list; empty entries are ignored.
pub fn parse_trusted(list: &str) -> Result<Vec<IpNet>, String> {
    list.split(',').filter(|s| !s.trim().is_empty()).map(str::parse).collect()
}

/// The address a request came from, as far as this service can tell.
pub fn client_addr(req: &HttpRequest, trusted: &[IpNet]) -> Result<IpAddr, ApiError> {
    let Some(peer) = req.peer_addr().map(|a| canonical(a.ip())) else {
        return Ok(IpAddr::from([0, 0, 0, 0]));
    };
    if !trusted.iter().any(|net| net.contains(peer)) {
        return Ok(peer);
    }
    let mut hops = Vec::new();
    for value in req.headers().get_all("x-forwarded-for") {
        let text = value.to_str().map_err(|_| bad_forwarded())?;
        hops.extend(text.split(',').map(str::trim).map(str::to_owned));
    }
    // Entries right of the first untrusted one were added by our own proxies; those left of it by anyone at all.
    for hop in hops.iter().rev() {
        let ip = canonical(hop.parse::<IpAddr>().map_err(|_| bad_forwarded())?);
        if !trusted.iter().any(|net| net.contains(ip)) {
            return Ok(ip);
        }
    }
    Ok(peer)
}

fn bad_forwarded() -> ApiError {
    ApiError::invalid("X-Forwarded-For", "must be a comma-separated list of IP addresses")
}

/// The client address as an extractor.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub IpAddr);

impl FromRequest for ClientAddr {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::Internal("application state missing".to_owned()))
                .and_then(|state| client_addr(req, &state.config.trusted_proxies))
                .map(ClientAddr),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn nets(list: &str) -> Vec<IpNet> {
        parse_trusted(list).expect("valid list")
    }

    #[test]
    fn cidr_blocks_contain_their_addresses() {
        let list = nets("10.0.0.0/8, 192.168.1.1, fd00::/8");
        let inside = |ip: &str| list.iter().any(|n| n.contains(ip.parse().expect("ip")));
        assert!(inside("10.200.3.4") && inside("192.168.1.1") && inside("fd12::1") && inside("::ffff:10.1.1.1"));
        assert!(!inside("11.0.0.1") && !inside("192.168.1.2") && !inside("fe80::1"));
        assert!(parse_trusted("10.0.0.0/33").is_err() && parse_trusted("proxy.local").is_err());
        assert!(nets("").is_empty());
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_peer() {
        let req = |xff: &str| {
            TestRequest::default()
                .peer_addr("10.0.0.5:4000".parse().expect("addr"))
                .insert_header(("X-Forwarded-For", xff.to_owned()))
                .to_http_request()
        };
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        let spoofed = req("1.2.3.4, 203.0.113.9");
        assert_eq!(client_addr(&spoofed, &[]).expect("addr"), ip("10.0.0.5"));
        assert_eq!(client_addr(&spoofed, &nets("10.0.0.0/8")).expect("addr"), ip("203.0.113.9"));
        let two_proxies = req("1.2.3.4, 203.0.113.9, 10.0.0.7");
        assert_eq!(client_addr(&two_proxies, &nets("10.0.0.0/8")).expect("addr"), ip("203.0.113.9"));
        assert!(client_addr(&req("garbage"), &nets("10.0.0.0/8")).is_err());
    }
}
