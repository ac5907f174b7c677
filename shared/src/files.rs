//! Files shared in a chat (images and PDF): what is accepted, recognised by their content,
//! never by the name or type the sender claims.

use serde::{Deserialize, Serialize};

/// Largest file accepted (10 MiB).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Longest file name kept.
pub const MAX_FILE_NAME_CHARS: usize = 120;
/// What the file picker offers.
pub const ACCEPTED_TYPES: &str = "image/png,image/jpeg,image/gif,image/webp,application/pdf";

/// A file shared in a conversation, as messages carry it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedFile {
    /// Its id.
    pub id: String,
    /// The sender's file name (cleaned).
    pub name: String,
    /// `image/png`, `image/jpeg`, `image/gif`, `image/webp` or `application/pdf`.
    pub content_type: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// The path it is downloaded from on the relay (`/files/{id}/{key}`; the key is random
    /// and unguessable: whoever holds the transcript holds the link).
    pub path: String,
}

impl SharedFile {
    /// True for pictures (shown inline).
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
}

/// The type of `bytes` when it is an accepted kind of file, read from its first bytes.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// A file name safe to show and to send back in `Content-Disposition`: no folders, no
/// control characters or quotes, at most 120 characters; `fichier` when nothing is left.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '\\'))
        .take(MAX_FILE_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_owned();
    if cleaned.is_empty() {
        "fichier".to_owned()
    } else {
        cleaned
    }
}

/// A size as people read it: `820 o`/`820 B`, `12 Ko`/`12 KB`, `3,4 Mo`/`3.4 MB`.
pub fn human_size(bytes: u64, locale: &str) -> String {
    let fr = locale == "fr";
    let (byte, kilo, mega) = if fr {
        ("o", "Ko", "Mo")
    } else {
        ("B", "KB", "MB")
    };
    if bytes < 1024 {
        format!("{bytes} {byte}")
    } else if bytes < 1024 * 1024 {
        format!("{} {kilo}", bytes.div_ceil(1024))
    } else {
        let tenths = (bytes * 10).div_ceil(1024 * 1024);
        let text = format!("{}.{}", tenths / 10, tenths % 10);
        let text = if fr { text.replace('.', ",") } else { text };
        format!("{text} {mega}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognised_by_their_content() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"GIF89a.."), Some("image/gif"));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(
            sniff(b"<html><script>"),
            None,
            "HTML named photo.png is refused"
        );
        assert_eq!(sniff(b"MZ\x90\0"), None, "programs are refused");
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn names_lose_folders_and_dangerous_characters() {
        assert_eq!(clean_name("C:\\Users\\ana\\scan \"1\".pdf"), "scan 1.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("..."), "fichier");
        assert_eq!(
            clean_name(&"a".repeat(300)).chars().count(),
            MAX_FILE_NAME_CHARS
        );
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_size(820, "fr"), "820 o");
        assert_eq!(human_size(12 * 1024, "en"), "12 KB");
        assert_eq!(human_size(3_565_158, "fr"), "3,4 Mo");
        assert_eq!(human_size(3_565_158, "en"), "3.4 MB");
    }
}
