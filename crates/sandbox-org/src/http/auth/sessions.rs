//! Access tokens, refresh tokens and authorization codes, and the clock they expire by.
//!
//! An access token lives until it has been idle for the org's session timeout (sliding), is
//! revoked, or — under the early-expiry fault — has lived a fixed time. A refresh token lives
//! until it is revoked, rotated away, or pushed out by the per-user-per-app cap. Time is read
//! through [`Clock`], which tests and the admin surface move forward instead of sleeping.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use super::kept;
use super::pkce::{self, Challenge};
use super::tokens::{self, SecretKey};

/// How long an authorization code can be redeemed.
pub const CODE_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// Refresh tokens one user may hold for one connected app; the oldest is revoked beyond it.
pub const REFRESH_TOKENS_PER_USER_AND_APP: usize = 5;

/// Wall-clock milliseconds plus an offset that only ever grows.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    pub fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis() + self.offset_ms.load(Ordering::SeqCst)
    }

    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX / 4);
        self.offset_ms.fetch_add(ms, Ordering::SeqCst);
    }
}

/// Who a token or code was granted to, and for what.
#[derive(Debug, Clone, PartialEq)]
pub struct Grantee {
    pub user_id: String,
    pub client_id: String,
    pub scope: String,
}

/// The secrets of one token answer, handed to the client exactly once.
#[derive(Debug)]
pub struct Issued {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub issued_at_ms: i64,
}

/// A redeemed authorization code.
#[derive(Debug, Clone, PartialEq)]
pub struct Redeemed {
    pub grantee: Grantee,
    /// Whether the client proved possession with a PKCE verifier.
    pub pkce: bool,
}

/// Why an authorization code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefusal {
    /// Unknown, already redeemed, or issued to another client.
    Invalid,
    Expired,
    RedirectMismatch,
    VerifierMismatch,
}

struct AccessSession {
    grantee: Grantee,
    /// The refresh-token grant this token came with or from: revoking it revokes this token.
    grant: Option<u64>,
    issued_ms: i64,
    last_used_ms: i64,
}

struct RefreshGrant {
    grantee: Grantee,
    token: SecretKey,
}

struct PendingCode {
    grantee: Grantee,
    redirect_uri: String,
    challenge: Option<Challenge>,
    issued_ms: i64,
}

#[derive(Default)]
struct Tables {
    access: HashMap<SecretKey, AccessSession>,
    /// Grant ids grow with time, so the smallest of a user's grants is the oldest.
    grants: HashMap<u64, RefreshGrant>,
    refresh_index: HashMap<SecretKey, u64>,
    codes: HashMap<SecretKey, PendingCode>,
    next_grant: u64,
    /// The org's data file, where refresh grants are kept; `None` for an org in memory.
    db: Option<rusqlite::Connection>,
}

impl Tables {
    fn drop_grant(&mut self, grant: u64) {
        if let Some(g) = self.grants.remove(&grant) {
            self.refresh_index.remove(&g.token);
        }
        self.access.retain(|_, s| s.grant != Some(grant));
        self.saved(|db| kept::forget(db, grant));
    }

    /// Writes a change of the grants through to the data file, when the org has one. A
    /// failed write is logged: the grant still works until the org stops.
    fn saved(&self, write: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<()>) {
        if let Some(db) = &self.db
            && let Err(e) = write(db)
        {
            tracing::warn!("sandbox org could not keep a refresh token across restarts: {e}");
        }
    }
}

/// Reads the grants kept in the org's data file into `t`, and keeps the file to write the
/// next changes to.
fn load_grants(path: &Path, t: &mut Tables) -> rusqlite::Result<()> {
    let (db, grants) = kept::open(path)?;
    for (id, token, grantee) in grants {
        t.refresh_index.insert(token.clone(), id);
        t.grants.insert(id, RefreshGrant { grantee, token });
        t.next_grant = t.next_grant.max(id);
    }
    t.db = Some(db);
    Ok(())
}

pub struct Sessions {
    tables: Mutex<Tables>,
    clock: Clock,
    org_id: String,
    idle_timeout_ms: i64,
    /// Early-expiry fault: lifetime from issue in milliseconds, or -1 when off.
    early_expiry_ms: AtomicI64,
    rotate_refresh_tokens: bool,
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Sessions {
    pub fn new(
        org_id: &str,
        idle_timeout: Duration,
        early_expiry: Option<Duration>,
        rotate: bool,
        data_file: Option<&Path>,
    ) -> Sessions {
        let mut tables = Tables::default();
        if let Some(path) = data_file
            && let Err(e) = load_grants(path, &mut tables)
        {
            tracing::warn!(
                "sandbox org could not read the refresh tokens kept in {}: connections must sign in again ({e})",
                path.display()
            );
        }
        Sessions {
            tables: Mutex::new(tables),
            clock: Clock::default(),
            org_id: org_id.to_string(),
            idle_timeout_ms: millis(idle_timeout),
            early_expiry_ms: AtomicI64::new(early_expiry.map_or(-1, millis)),
            rotate_refresh_tokens: rotate,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Tables> {
        // Every update of the tables is a single insert or remove: a panic elsewhere cannot
        // leave them half-changed, so a poisoned lock is safe to reuse.
        self.tables
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn set_early_expiry(&self, lifetime: Option<Duration>) {
        self.early_expiry_ms
            .store(lifetime.map_or(-1, millis), Ordering::SeqCst);
    }

    pub fn early_expiry(&self) -> Option<Duration> {
        let ms = self.early_expiry_ms.load(Ordering::SeqCst);
        u64::try_from(ms).ok().map(Duration::from_millis)
    }

    /// Ends every access token now. Refresh tokens survive, so clients can get new ones.
    pub fn expire_all(&self) {
        self.lock().access.clear();
    }

    pub fn issue_code(
        &self,
        grantee: Grantee,
        redirect_uri: &str,
        challenge: Option<Challenge>,
    ) -> String {
        let code = tokens::authorization_code();
        let now = self.clock.now_ms();
        let mut t = self.lock();
        t.codes
            .retain(|_, c| now - c.issued_ms < millis(CODE_LIFETIME));
        t.codes.insert(
            SecretKey::of(&code),
            PendingCode {
                grantee,
                redirect_uri: redirect_uri.to_string(),
                challenge,
                issued_ms: now,
            },
        );
        code
    }

    /// Redeems a code once: any attempt by its own client uses it up, so a leaked code
    /// cannot be tried against many verifiers.
    pub fn redeem_code(
        &self,
        code: &str,
        client_id: &str,
        redirect_uri: Option<&str>,
        verifier: Option<&str>,
    ) -> Result<Redeemed, CodeRefusal> {
        let key = SecretKey::of(code);
        let pending = {
            let mut t = self.lock();
            match t.codes.get(&key) {
                Some(c) if c.grantee.client_id == client_id => t.codes.remove(&key),
                _ => None,
            }
        };
        let pending = pending.ok_or(CodeRefusal::Invalid)?;
        if self.clock.now_ms() - pending.issued_ms >= millis(CODE_LIFETIME) {
            return Err(CodeRefusal::Expired);
        }
        if redirect_uri != Some(pending.redirect_uri.as_str()) {
            return Err(CodeRefusal::RedirectMismatch);
        }
        if let Some(challenge) = &pending.challenge
            && !verifier.is_some_and(|v| pkce::verifies(challenge, v))
        {
            return Err(CodeRefusal::VerifierMismatch);
        }
        Ok(Redeemed {
            grantee: pending.grantee,
            pkce: pending.challenge.is_some(),
        })
    }

    /// A new access token, and a refresh token when `with_refresh`.
    pub fn issue(&self, grantee: &Grantee, with_refresh: bool) -> Issued {
        let now = self.clock.now_ms();
        let access_token = tokens::access_token(&self.org_id);
        let mut t = self.lock();
        self.sweep(&mut t, now);
        let (grant, refresh_token) = if with_refresh {
            let refresh = tokens::refresh_token();
            (Some(new_grant(&mut t, grantee, &refresh)), Some(refresh))
        } else {
            (None, None)
        };
        t.access.insert(
            SecretKey::of(&access_token),
            AccessSession {
                grantee: grantee.clone(),
                grant,
                issued_ms: now,
                last_used_ms: now,
            },
        );
        Issued {
            access_token,
            refresh_token,
            issued_at_ms: now,
        }
    }

    /// A new access token from a refresh token of `client_id`; with rotation on, also a new
    /// refresh token that replaces the one presented. `None` when the token is unknown,
    /// revoked or belongs to another app.
    pub fn refresh(&self, refresh_token: &str, client_id: &str) -> Option<(Grantee, Issued)> {
        let now = self.clock.now_ms();
        let access_token = tokens::access_token(&self.org_id);
        let mut t = self.lock();
        self.sweep(&mut t, now);
        let presented = SecretKey::of(refresh_token);
        let grant_id = *t.refresh_index.get(&presented)?;
        let grant = t.grants.get_mut(&grant_id)?;
        if grant.grantee.client_id != client_id {
            return None;
        }
        let grantee = grant.grantee.clone();
        let rotated = self.rotate_refresh_tokens.then(|| {
            let fresh = tokens::refresh_token();
            grant.token = SecretKey::of(&fresh);
            fresh
        });
        if let Some(fresh) = &rotated {
            let key = SecretKey::of(fresh);
            t.refresh_index.remove(&presented);
            t.refresh_index.insert(key.clone(), grant_id);
            t.saved(|db| kept::rotate(db, grant_id, &key));
        }
        t.access.insert(
            SecretKey::of(&access_token),
            AccessSession {
                grantee: grantee.clone(),
                grant: Some(grant_id),
                issued_ms: now,
                last_used_ms: now,
            },
        );
        Some((
            grantee,
            Issued {
                access_token,
                refresh_token: rotated,
                issued_at_ms: now,
            },
        ))
    }

    /// The grantee of a live access token, which counts as activity for the idle timeout.
    pub fn authenticate(&self, access_token: &str) -> Option<Grantee> {
        let now = self.clock.now_ms();
        let key = SecretKey::of(access_token);
        let mut t = self.lock();
        let session = t.access.get_mut(&key)?;
        if self.is_expired(session, now) {
            t.access.remove(&key);
            tracing::debug!("sandbox org refused an expired session");
            return None;
        }
        session.last_used_ms = now;
        Some(session.grantee.clone())
    }

    /// Revokes an access token, or a refresh token and every access token it produced.
    /// False when the token is unknown.
    pub fn revoke(&self, token: &str) -> bool {
        let key = SecretKey::of(token);
        let mut t = self.lock();
        if t.access.remove(&key).is_some() {
            return true;
        }
        match t.refresh_index.get(&key).copied() {
            Some(grant) => {
                t.drop_grant(grant);
                true
            }
            None => false,
        }
    }

    /// Number of live refresh tokens of a user for an app.
    pub fn refresh_tokens_of(&self, user_id: &str, client_id: &str) -> usize {
        let t = self.lock();
        t.grants
            .values()
            .filter(|g| g.grantee.user_id == user_id && g.grantee.client_id == client_id)
            .count()
    }

    fn is_expired(&self, session: &AccessSession, now: i64) -> bool {
        let idle = now - session.last_used_ms >= self.idle_timeout_ms;
        let early = self.early_expiry_ms.load(Ordering::SeqCst);
        idle || (early >= 0 && now - session.issued_ms >= early)
    }

    /// Forgets access tokens that can no longer be used, so the table does not grow forever.
    fn sweep(&self, t: &mut Tables, now: i64) {
        t.access.retain(|_, s| !self.is_expired(s, now));
    }
}

fn new_grant(t: &mut Tables, grantee: &Grantee, refresh_token: &str) -> u64 {
    loop {
        let mut own: Vec<u64> = t
            .grants
            .iter()
            .filter(|(_, g)| {
                g.grantee.user_id == grantee.user_id && g.grantee.client_id == grantee.client_id
            })
            .map(|(id, _)| *id)
            .collect();
        if own.len() < REFRESH_TOKENS_PER_USER_AND_APP {
            break;
        }
        own.sort_unstable();
        t.drop_grant(own[0]);
    }
    t.next_grant += 1;
    let id = t.next_grant;
    let token = SecretKey::of(refresh_token);
    t.saved(|db| kept::keep(db, id, &token, grantee));
    t.refresh_index.insert(token.clone(), id);
    t.grants.insert(
        id,
        RefreshGrant {
            grantee: grantee.clone(),
            token,
        },
    );
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::auth::pkce::Method;

    /// Client, redirect URI and verifier of a redemption, and its expected outcome.
    type CodeCase<'a> = (
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Result<(), CodeRefusal>,
    );

    const HOUR: Duration = Duration::from_secs(3600);

    fn sessions(rotate: bool) -> Sessions {
        Sessions::new(&crate::ids::mint("00D", 1), 2 * HOUR, None, rotate, None)
    }

    fn alice() -> Grantee {
        Grantee {
            user_id: "005A".into(),
            client_id: "app".into(),
            scope: "api refresh_token".into(),
        }
    }

    #[test]
    fn idle_timeout_slides_with_use() {
        let s = sessions(false);
        let issued = s.issue(&alice(), false);
        s.clock().advance(HOUR + HOUR / 2);
        assert_eq!(s.authenticate(&issued.access_token), Some(alice()));
        s.clock().advance(HOUR + HOUR / 2);
        assert_eq!(
            s.authenticate(&issued.access_token),
            Some(alice()),
            "use restarts the idle clock"
        );
        s.clock().advance(2 * HOUR);
        assert_eq!(s.authenticate(&issued.access_token), None);
    }

    #[test]
    fn early_expiry_counts_from_issue_despite_use() {
        let s = sessions(false);
        s.set_early_expiry(Some(Duration::from_secs(60)));
        let issued = s.issue(&alice(), false);
        s.clock().advance(Duration::from_secs(30));
        assert!(s.authenticate(&issued.access_token).is_some());
        s.clock().advance(Duration::from_secs(30));
        assert!(s.authenticate(&issued.access_token).is_none());
        s.set_early_expiry(None);
        assert_eq!(s.early_expiry(), None);
    }

    #[test]
    fn expire_all_keeps_refresh_tokens() {
        let s = sessions(false);
        let issued = s.issue(&alice(), true);
        s.expire_all();
        assert!(s.authenticate(&issued.access_token).is_none());
        let refresh = issued.refresh_token.unwrap_or_default();
        let (_, again) = s
            .refresh(&refresh, "app")
            .unwrap_or_else(|| panic!("refresh token survives"));
        assert!(s.authenticate(&again.access_token).is_some());
        assert!(again.refresh_token.is_none(), "no rotation by default");
    }

    #[test]
    fn rotation_replaces_the_refresh_token() {
        let s = sessions(true);
        let first = s.issue(&alice(), true).refresh_token.unwrap_or_default();
        let (_, issued) = s
            .refresh(&first, "app")
            .unwrap_or_else(|| panic!("first refresh"));
        let second = issued.refresh_token.unwrap_or_default();
        assert_ne!(first, second);
        assert!(s.refresh(&first, "app").is_none());
        assert!(s.refresh(&second, "app").is_some());
        assert_eq!(s.refresh_tokens_of("005A", "app"), 1);
    }

    #[test]
    fn refresh_token_of_another_app_is_refused() {
        let s = sessions(false);
        let refresh = s.issue(&alice(), true).refresh_token.unwrap_or_default();
        assert!(s.refresh(&refresh, "other-app").is_none());
    }

    #[test]
    fn cap_revokes_the_oldest_refresh_token_and_its_sessions() {
        let s = sessions(false);
        let all: Vec<Issued> = (0..=REFRESH_TOKENS_PER_USER_AND_APP)
            .map(|_| s.issue(&alice(), true))
            .collect();
        assert_eq!(
            s.refresh_tokens_of("005A", "app"),
            REFRESH_TOKENS_PER_USER_AND_APP
        );
        let oldest = &all[0];
        assert!(
            s.refresh(oldest.refresh_token.as_deref().unwrap_or_default(), "app")
                .is_none()
        );
        assert!(s.authenticate(&oldest.access_token).is_none());
        for later in &all[1..] {
            assert!(
                s.refresh(later.refresh_token.as_deref().unwrap_or_default(), "app")
                    .is_some()
            );
        }
        let bob = Grantee {
            user_id: "005B".into(),
            ..alice()
        };
        s.issue(&bob, true);
        assert_eq!(
            s.refresh_tokens_of("005A", "app"),
            REFRESH_TOKENS_PER_USER_AND_APP,
            "cap is per user"
        );
    }

    #[test]
    fn revoking_a_refresh_token_kills_its_access_tokens() {
        let s = sessions(false);
        let issued = s.issue(&alice(), true);
        let refresh = issued.refresh_token.clone().unwrap_or_default();
        let (_, from_refresh) = s
            .refresh(&refresh, "app")
            .unwrap_or_else(|| panic!("refresh"));
        let unrelated = s.issue(&alice(), false);
        assert!(s.revoke(&refresh));
        assert!(s.authenticate(&issued.access_token).is_none());
        assert!(s.authenticate(&from_refresh.access_token).is_none());
        assert!(s.authenticate(&unrelated.access_token).is_some());
        assert!(!s.revoke(&refresh), "already revoked");
    }

    #[test]
    fn codes_are_single_use_and_expire() {
        let s = sessions(false);
        let verifier = "v".repeat(64);
        let challenge = Challenge {
            method: Method::Plain,
            value: verifier.clone(),
        };
        let cb = "http://localhost:1717/OauthRedirect";
        let cases: [CodeCase<'_>; 4] = [
            ("app", Some(cb), Some(&verifier), Ok(())),
            (
                "other",
                Some(cb),
                Some(&verifier),
                Err(CodeRefusal::Invalid),
            ),
            (
                "app",
                Some("http://localhost:1718/OauthRedirect"),
                Some(&verifier),
                Err(CodeRefusal::RedirectMismatch),
            ),
            (
                "app",
                Some(cb),
                Some("wrong-but-long-enough-verifier-0123456789abcdef"),
                Err(CodeRefusal::VerifierMismatch),
            ),
        ];
        for (client, redirect, verifier, expected) in cases {
            let code = s.issue_code(alice(), cb, Some(challenge.clone()));
            let got = s.redeem_code(&code, client, redirect, verifier).map(|_| ());
            assert_eq!(got, expected, "client {client}, redirect {redirect:?}");
            if client == "app" {
                assert_eq!(
                    s.redeem_code(&code, client, redirect, verifier).map(|_| ()),
                    Err(CodeRefusal::Invalid),
                    "reuse"
                );
            }
        }
        let code = s.issue_code(alice(), cb, None);
        s.clock().advance(CODE_LIFETIME);
        assert_eq!(
            s.redeem_code(&code, "app", Some(cb), None).map(|_| ()),
            Err(CodeRefusal::Expired)
        );
    }
}
