//! Size limits and input rules: the widget and console apply them as the user types, the relay
//! enforces them on every frame.

use crate::model::{ChatRequest, SignedIdentity, WrapUp};

/// Largest text frame a client may send, in bytes.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest email address, in characters.
pub const MAX_EMAIL_CHARS: usize = 254;
/// Longest company name, in characters.
pub const MAX_COMPANY_CHARS: usize = 120;
/// Longest pre-chat reason, in characters.
pub const MAX_REASON_CHARS: usize = 1000;
/// Longest chat message, in characters.
pub const MAX_BODY_CHARS: usize = 4000;
/// Longest client message id, in characters.
pub const MAX_CLIENT_MSG_ID_CHARS: usize = 64;
/// Longest wrap-up text field, in characters.
pub const MAX_WRAP_UP_CHARS: usize = 2000;
/// Longest page URL kept, in characters.
pub const MAX_URL_CHARS: usize = 2048;
/// Most chats one adviser may take at once.
pub const MAX_CHATS_PER_ADVISER: u8 = 8;

/// What is wrong with a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Empty, but required.
    Required,
    /// Longer than allowed.
    TooLong,
    /// Not of the expected form.
    Invalid,
}

/// A field that broke a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name, as in the frame (`name`, `email`, `body`, ...).
    pub field: &'static str,
    /// What is wrong.
    pub problem: Problem,
}

impl FieldError {
    /// The key of the text that explains this error in [`crate::i18n`].
    pub fn text_key(&self) -> &'static str {
        match (self.field, self.problem) {
            ("contact", _) => "error.contact_required",
            ("email", Problem::Invalid) => "error.email_invalid",
            ("phone", Problem::Invalid) => "error.phone_invalid",
            ("follow_up_date", Problem::Invalid) => "error.date_invalid",
            (_, Problem::Required) => "error.required",
            (_, Problem::TooLong) => "error.too_long",
            (_, Problem::Invalid) => "error.invalid",
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.problem {
            Problem::Required => "is required",
            Problem::TooLong => "is too long",
            Problem::Invalid => "is not valid",
        };
        if self.field == "contact" {
            return f.write_str("an email address or a phone number is required");
        }
        write!(f, "`{}` {what}", self.field)
    }
}

/// True for a character no text a person typed needs: control characters other than line
/// breaks and tabs (NUL among them), and the bidirectional overrides and isolates that make
/// text read differently from how it is stored (U+202A–U+202E, U+2066–U+2069).
pub fn is_hidden_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// `text` without [`is_hidden_control`] characters (a carriage return before a line break
/// is one of them: line breaks are kept as `\n`).
pub fn without_hidden_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(is_hidden_control) {
        std::borrow::Cow::Owned(text.chars().filter(|c| !is_hidden_control(*c)).collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Trims `value` and drops hidden control characters; `None` when empty; an error when
/// longer than `max` characters.
pub(crate) fn optional(
    value: Option<&str>,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, FieldError> {
    let cleaned = value.map(without_hidden_controls);
    let trimmed = cleaned.as_deref().map(str::trim).unwrap_or_default();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().count() > max {
        return Err(FieldError {
            field,
            problem: Problem::TooLong,
        });
    }
    Ok(Some(trimmed.to_owned()))
}

/// Trims `value`; an error when empty or longer than `max` characters.
pub fn required(value: &str, field: &'static str, max: usize) -> Result<String, FieldError> {
    optional(Some(value), field, max)?.ok_or(FieldError {
        field,
        problem: Problem::Required,
    })
}

/// Lower-cases and checks an email address (one `@`, a dot in the domain, no spaces).
pub fn normalize_email(email: &str) -> Option<String> {
    let email = email.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let well_formed = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email.chars().any(char::is_whitespace);
    well_formed.then_some(email)
}

/// Keeps the digits of a phone number (and a leading `+`); needs 6 to 20 digits.
pub fn normalize_phone(phone: &str) -> Option<String> {
    let phone = phone.trim();
    let allowed = |c: char| c.is_ascii_digit() || " .-()/+".contains(c);
    if !phone.chars().all(allowed) {
        return None;
    }
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if !(6..=20).contains(&digits.len()) {
        return None;
    }
    Some(if phone.starts_with('+') {
        format!("+{digits}")
    } else {
        digits
    })
}

/// Checks a `YYYY-MM-DD` date.
pub fn is_iso_date(date: &str) -> bool {
    let parts: Vec<&str> = date.split('-').collect();
    let number = |s: &str, len: usize| s.len() == len && s.chars().all(|c| c.is_ascii_digit());
    if parts.len() != 3 || !number(parts[0], 4) || !number(parts[1], 2) || !number(parts[2], 2) {
        return false;
    }
    let month: u32 = parts[1].parse().unwrap_or(0);
    let day: u32 = parts[2].parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// Checks and trims a chat message.
pub fn validate_body(body: &str) -> Result<String, FieldError> {
    required(body, "body", MAX_BODY_CHARS)
}

/// Checks a client message id.
pub fn validate_client_msg_id(id: &str) -> Result<(), FieldError> {
    let field = "client_msg_id";
    if id.is_empty() {
        return Err(FieldError {
            field,
            problem: Problem::Required,
        });
    }
    if id.chars().count() > MAX_CLIENT_MSG_ID_CHARS {
        return Err(FieldError {
            field,
            problem: Problem::TooLong,
        });
    }
    Ok(())
}

impl ChatRequest {
    /// The request trimmed and normalised (email lower-cased, phone digits only), or the first
    /// field that breaks a rule.
    pub fn validated(&self) -> Result<ChatRequest, FieldError> {
        self.checked(true)
    }

    /// The request of a visitor who shares their page by phone: checked like
    /// [`ChatRequest::validated`], but an email or phone number is not required (the adviser
    /// hears who calls).
    pub fn validated_for_phone(&self) -> Result<ChatRequest, FieldError> {
        self.checked(false)
    }

    fn checked(&self, contact_required: bool) -> Result<ChatRequest, FieldError> {
        let name = required(&self.name, "name", MAX_NAME_CHARS)?;
        let email = match optional(self.email.as_deref(), "email", MAX_EMAIL_CHARS)? {
            Some(email) => Some(normalize_email(&email).ok_or(FieldError {
                field: "email",
                problem: Problem::Invalid,
            })?),
            None => None,
        };
        let phone = match optional(self.phone.as_deref(), "phone", 40)? {
            Some(phone) => Some(normalize_phone(&phone).ok_or(FieldError {
                field: "phone",
                problem: Problem::Invalid,
            })?),
            None => None,
        };
        if contact_required && email.is_none() && phone.is_none() {
            return Err(FieldError {
                field: "contact",
                problem: Problem::Required,
            });
        }
        let company = optional(self.company.as_deref(), "company", MAX_COMPANY_CHARS)?;
        let reason = required(&self.reason, "reason", MAX_REASON_CHARS)?;
        let mut page_url = optional(self.page_url.as_deref(), "page_url", MAX_URL_CHARS * 4)?;
        if let Some(url) = page_url.as_mut() {
            truncate_chars(url, MAX_URL_CHARS);
        }
        let locale = optional(self.locale.as_deref(), "locale", 16)?;
        Ok(ChatRequest {
            name,
            email,
            phone,
            company,
            reason,
            page_url,
            locale,
            identity: self.identity.as_ref().map(validated_identity).transpose()?,
            queue: self.queue.as_deref().map(validate_key).transpose()?,
            site: self.site.clone(),
        })
    }
}

/// A signed identity with a plausible id and a 64-digit hex signature.
fn validated_identity(identity: &SignedIdentity) -> Result<SignedIdentity, FieldError> {
    let invalid = FieldError {
        field: "identity",
        problem: Problem::Invalid,
    };
    let user_id = required(&identity.user_id, "identity", 128).map_err(|_| invalid)?;
    let signature = identity.signature.trim().to_ascii_lowercase();
    if signature.len() != 64 || !signature.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(invalid);
    }
    Ok(SignedIdentity { user_id, signature })
}

impl WrapUp {
    /// The wrap-up trimmed, or the first field that breaks a rule.
    pub fn validated(&self) -> Result<WrapUp, FieldError> {
        let text =
            |value: &Option<String>, field| optional(value.as_deref(), field, MAX_WRAP_UP_CHARS);
        let follow_up_date = optional(self.follow_up_date.as_deref(), "follow_up_date", 10)?;
        if let Some(date) = &follow_up_date {
            if !is_iso_date(date) {
                return Err(FieldError {
                    field: "follow_up_date",
                    problem: Problem::Invalid,
                });
            }
        }
        Ok(WrapUp {
            resolution: self.resolution,
            answer: text(&self.answer, "answer")?,
            agreed_solution: text(&self.agreed_solution, "agreed_solution")?,
            actions_taken: text(&self.actions_taken, "actions_taken")?,
            follow_up_date,
            compensation: text(&self.compensation, "compensation")?,
            prevention: text(&self.prevention, "prevention")?,
        })
    }
}

/// Longest queue key or canned-answer shortcut, in characters.
pub const MAX_KEY_CHARS: usize = 32;
/// Longest internal note or colleague message, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;
/// Longest canned answer, in characters.
pub const MAX_CANNED_CHARS: usize = 4000;
/// Longest survey comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// Checks a key (queue, shortcut): 1 to 32 lower-case letters, digits, `-` or `_`.
pub fn validate_key(key: &str) -> Result<String, FieldError> {
    let key = key.trim();
    let field = "key";
    if key.is_empty() {
        return Err(FieldError {
            field,
            problem: Problem::Required,
        });
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
    if key.chars().count() > MAX_KEY_CHARS || !key.chars().all(allowed) {
        return Err(FieldError {
            field,
            problem: Problem::Invalid,
        });
    }
    Ok(key.to_owned())
}

/// Checks and trims an internal note or a message to a colleague.
pub fn validate_note(body: &str) -> Result<String, FieldError> {
    required(body, "note", MAX_NOTE_CHARS)
}

/// Cuts `text` to at most `max` characters, on a character boundary.
pub fn truncate_chars(text: &mut String, max: usize) {
    if let Some((index, _)) = text.char_indices().nth(max) {
        text.truncate(index);
    }
}
