//! Opening one SMTP connection as `SMTP_URL` says: plain, STARTTLS (opportunistic or required), or TLS from the
//! first byte, then AUTH when the URL names a user. The socket has `TCP_NODELAY`: lettre writes a message and its
//! closing dot in two writes, and with Nagle's algorithm the dot waits for the server's delayed ACK (~40 ms a mail).

use std::borrow::Cow;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::io::{AsyncRead as FuturesRead, AsyncWrite as FuturesWrite};
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
#[allow(deprecated)]
use lettre::transport::smtp::client::AsyncNetworkStream;
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::{SMTP_PORT, SUBMISSIONS_PORT, SUBMISSION_PORT};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Why talking to the SMTP server failed.
#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    #[error("connecting to the SMTP server: {0}")]
    Connect(#[from] io::Error),
    #[error(transparent)]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("the SMTP server did not finish within {0:?}")]
    Deadline(Duration),
}

/// Where and how to connect, read from `SMTP_URL` with the same forms lettre's `from_url` accepts.
#[derive(Clone)]
pub struct Endpoint {
    host: String,
    port: u16,
    security: Security,
    hello: ClientId,
    credentials: Option<Credentials>,
}

#[derive(Clone)]
enum Security {
    Plain,
    Opportunistic(TlsParameters),
    Required(TlsParameters),
    Implicit(TlsParameters),
}

impl Endpoint {
    /// `smtp://host[:25]`, `smtp://host[:587]?tls=opportunistic|required`, `smtps://host[:465]`, each optionally
    /// with `user:password@` (percent-encoded) and `/ehlo-name`.
    pub fn parse(smtp_url: &str) -> Result<Self, String> {
        let url = url::Url::parse(smtp_url).map_err(|e| e.to_string())?;
        let host = url.host_str().ok_or("the SMTP host is missing")?.to_owned();
        let tls = url.query_pairs().find(|(key, _)| key == "tls").map(|(_, value)| value.into_owned());
        let parameters = || TlsParameters::new(host.clone()).map_err(|e| e.to_string());
        let (security, default_port) = match (url.scheme(), tls.as_deref()) {
            ("smtp", None) => (Security::Plain, SMTP_PORT),
            ("smtp", Some("opportunistic")) => (Security::Opportunistic(parameters()?), SUBMISSION_PORT),
            ("smtp", Some("required")) => (Security::Required(parameters()?), SUBMISSION_PORT),
            ("smtps", _) => (Security::Implicit(parameters()?), SUBMISSIONS_PORT),
            (scheme, tls) => return Err(format!("unknown scheme {scheme:?} or tls parameter {tls:?}")),
        };
        let hello = match url.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_owned()),
        };
        let credentials = match url.password() {
            Some(password) => Some(Credentials::new(decoded(url.username())?, decoded(password)?)),
            None => None,
        };
        Ok(Self { host, port: url.port().unwrap_or(default_port), security, hello, credentials })
    }

    /// A connection ready for MAIL FROM. `timeout` bounds the TCP connect; the caller's deadline bounds the rest.
    pub async fn connect(&self, timeout: Duration) -> Result<AsyncSmtpConnection, SmtpError> {
        let tcp = tokio::time::timeout(timeout, TcpStream::connect((self.host.as_str(), self.port)))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connection timed out"))??;
        tcp.set_nodelay(true)?;
        let stream: Box<dyn AsyncTokioStream> = match &self.security {
            Security::Implicit(tls) => Box::new(Implicit::handshake(tcp, tls.clone()).await?),
            _ => Box::new(tcp),
        };
        let mut conn = AsyncSmtpConnection::connect_with_transport(stream, &self.hello).await?;
        match &self.security {
            Security::Opportunistic(tls) if conn.can_starttls() => conn.starttls(tls.clone(), &self.hello).await?,
            Security::Required(tls) => conn.starttls(tls.clone(), &self.hello).await?,
            _ => {}
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(DEFAULT_MECHANISMS, credentials).await?;
        }
        Ok(conn)
    }
}

fn decoded(part: &str) -> Result<String, String> {
    percent_encoding::percent_decode_str(part).decode_utf8().map(Cow::into_owned).map_err(|e| e.to_string())
}

/// TLS from the first byte (`smtps://`): lettre's own TLS upgrade over our socket, handed to lettre as a plain
/// stream, because lettre reads the server's greeting as soon as it has a stream.
#[allow(deprecated)]
#[derive(Debug)]
struct Implicit(AsyncNetworkStream);

#[allow(deprecated)]
impl Implicit {
    async fn handshake(tcp: TcpStream, tls: TlsParameters) -> Result<Self, SmtpError> {
        let mut stream = AsyncNetworkStream::use_existing_tokio1(Box::new(tcp));
        stream.upgrade_tls(tls).await?;
        Ok(Self(stream))
    }
}

impl AsyncTokioStream for Implicit {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.peer_addr()
    }
}

impl AsyncRead for Implicit {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let read = std::task::ready!(Pin::new(&mut self.0).poll_read(cx, buf.initialize_unfilled()))?;
        buf.advance(read);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Implicit {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_close(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_smtp_url_form_is_understood() {
        let plain = Endpoint::parse("smtp://mail.example.org").expect("plain");
        assert_eq!((plain.host.as_str(), plain.port), ("mail.example.org", 25));
        assert!(matches!(plain.security, Security::Plain) && plain.credentials.is_none());
        let starttls = Endpoint::parse("smtp://u%40x:p%2Fw@mail.example.org?tls=required").expect("required");
        assert!(matches!(starttls.security, Security::Required(_)) && starttls.port == 587);
        assert_eq!(starttls.credentials, Some(Credentials::new("u@x".to_owned(), "p/w".to_owned())));
        let opportunistic = Endpoint::parse("smtp://127.0.0.1:2525?tls=opportunistic").expect("opportunistic");
        assert!(matches!(opportunistic.security, Security::Opportunistic(_)) && opportunistic.port == 2525);
        let implicit = Endpoint::parse("smtps://mail.example.org/tandem.example").expect("smtps");
        assert!(matches!(implicit.security, Security::Implicit(_)) && implicit.port == 465);
        assert_eq!(implicit.hello, ClientId::Domain("tandem.example".to_owned()));
        assert!(Endpoint::parse("http://mail.example.org").is_err());
        assert!(Endpoint::parse("smtp://mail.example.org?tls=sometimes").is_err());
        assert!(Endpoint::parse("not a url").is_err());
    }
}
