//! The pages a person sees during the web-server flow: a login and consent page, and the
//! error page a real org shows instead of redirecting to an untrusted callback.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The authorize request, carried through the login form in hidden fields and validated again
/// when the form comes back.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AuthorizeRequest {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub prompt: Option<String>,
    pub login_hint: Option<String>,
}

impl AuthorizeRequest {
    fn hidden_fields(&self) -> String {
        let fields = [
            ("response_type", &self.response_type),
            ("client_id", &self.client_id),
            ("redirect_uri", &self.redirect_uri),
            ("code_challenge", &self.code_challenge),
            ("code_challenge_method", &self.code_challenge_method),
            ("scope", &self.scope),
            ("state", &self.state),
        ];
        fields
            .iter()
            .filter_map(|(name, value)| value.as_ref().map(|v| (name, v)))
            .map(|(name, value)| {
                format!(
                    r#"<input type="hidden" name="{name}" value="{}">"#,
                    escape(value)
                )
            })
            .collect::<Vec<_>>()
            .join("\n      ")
    }
}

/// Escapes text for HTML bodies and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// What each scope lets the app do, in the words a real org's consent page uses.
fn scope_text(scope: &str) -> String {
    match scope {
        "api" => "Manage user data via APIs".to_string(),
        "web" => "Manage user data via Web browsers".to_string(),
        "full" => "Full access".to_string(),
        "refresh_token" | "offline_access" => "Perform requests at any time".to_string(),
        "id" | "openid" | "profile" | "email" | "address" | "phone" => {
            "Access the identity URL service".to_string()
        }
        other => format!("Use the “{}” scope", other),
    }
}

const STYLE: &str = "
body { margin: 0; background: #f3f3f3; font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #181818; }
main { max-width: 380px; margin: 8vh auto; background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 28px 32px; box-shadow: 0 2px 8px rgba(0,0,0,.06); }
h1 { font-size: 20px; margin: 0 0 4px; }
.org { color: #555; margin: 0 0 20px; font-size: 13px; }
.badge { display: inline-block; background: #fff4d6; color: #7a5200; border-radius: 4px; padding: 1px 6px; font-size: 12px; margin-left: 6px; }
label { display: block; font-size: 13px; color: #444; margin: 14px 0 4px; }
input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: 9px 10px; border: 1px solid #bbb; border-radius: 4px; font-size: 15px; }
ul { padding-left: 20px; margin: 8px 0 0; color: #333; }
.error { background: #fdecea; color: #8a1c12; border-radius: 4px; padding: 8px 10px; margin: 0 0 12px; font-size: 14px; }
.actions { display: flex; gap: 10px; margin-top: 22px; }
button { flex: 1; padding: 10px; border-radius: 4px; font-size: 15px; cursor: pointer; border: 1px solid #0b5cab; }
button.allow { background: #0b5cab; color: #fff; }
button.deny { background: #fff; color: #0b5cab; }
";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n",
        escape(title)
    )
}

fn html(status: StatusCode, text: String) -> Response {
    let mut response = (status, text).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The page takes credentials: keep it out of frames.
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    response
}

/// The login and consent page. `error` is shown above the form after a failed attempt.
pub fn login_page(
    request: &AuthorizeRequest,
    org_name: &str,
    scopes: &[&str],
    username: &str,
    error: Option<&str>,
) -> Response {
    let app = request.client_id.as_deref().unwrap_or_default();
    let mut seen = Vec::new();
    let items: String = scopes
        .iter()
        .map(|s| scope_text(s))
        .filter(|text| {
            let fresh = !seen.contains(text);
            seen.push(text.clone());
            fresh
        })
        .map(|text| format!("<li>{}</li>", escape(&text)))
        .collect();
    let error = error
        .map(|e| format!(r#"<p class="error" role="alert">{}</p>"#, escape(e)))
        .unwrap_or_default();
    let body = format!(
        r#"<h1>Log in to allow access</h1>
<p class="org">{org}<span class="badge">Sandbox</span></p>
<form method="post" action="/services/oauth2/authorize">
      {error}
      {hidden}
      <label for="username">Username</label>
      <input type="text" id="username" name="username" value="{username}" autocomplete="username" required>
      <label for="password">Password</label>
      <input type="password" id="password" name="password" autocomplete="current-password">
      <p><strong>{app}</strong> is asking to:</p>
      <ul>{items}</ul>
      <div class="actions">
        <button class="deny" type="submit" name="decision" value="deny" formnovalidate>Deny</button>
        <button class="allow" type="submit" name="decision" value="allow">Allow</button>
      </div>
</form>"#,
        org = escape(org_name),
        hidden = request.hidden_fields(),
        username = escape(username),
        app = escape(app),
    );
    html(StatusCode::OK, page(&format!("Log in | {org_name}"), &body))
}

/// The page shown when the request cannot be redirected back (unknown app, callback not
/// registered), worded like a real org's: `error=...&error_description=...`.
pub fn error_page(error: &str, description: &str) -> Response {
    let body = format!(
        "<h1>Remote access authorization error</h1>\n<p class=\"error\" role=\"alert\">error={}&amp;error_description={}</p>\n<p>Check the connected app's consumer key and callback URL, then start the login again.</p>",
        escape(error),
        escape(&description.replace(' ', "%20")),
    );
    html(
        StatusCode::BAD_REQUEST,
        page("Remote access authorization error", &body),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn hidden_fields_carry_the_request_escaped() {
        let request = AuthorizeRequest {
            client_id: Some("app".into()),
            state: Some(r#""><script>"#.into()),
            ..Default::default()
        };
        let fields = request.hidden_fields();
        assert!(fields.contains(r#"name="client_id" value="app""#));
        assert!(fields.contains("&quot;&gt;&lt;script&gt;"));
        assert!(!fields.contains("<script>"));
        assert!(!fields.contains("redirect_uri"));
    }
}
