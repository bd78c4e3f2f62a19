//! Recognising the image types Byline accepts by their first bytes.
//!
//! Written here rather than taken from a general sniffing crate because the
//! check is a security gate: each signature is matched in full (a general
//! sniffer accepts any file starting with "GIF" as a GIF).

/// The media type of `bytes` if it is a PNG, JPEG, GIF or WebP image.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.starts_with(PNG) && bytes.len() > PNG.len() + 8 && &bytes[12..16] == b"IHDR" {
        return Some("image/png");
    }
    if bytes.len() > 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF {
        return Some("image/jpeg");
    }
    if (bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a")) && bytes.len() > 13 {
        return Some("image/gif");
    }
    if bytes.len() > 16
        && bytes.starts_with(b"RIFF")
        && &bytes[8..12] == b"WEBP"
        && &bytes[12..15] == b"VP8"
    {
        return Some("image/webp");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn recognises_real_signatures_only() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
        assert_eq!(sniff(png), Some("image/png"));
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF"), Some("image/jpeg"));
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0\x80\0\0\0\0"), Some("image/gif"));
        assert_eq!(
            sniff(b"RIFF\x24\0\0\0WEBPVP8 \x18\0\0\0"),
            Some("image/webp")
        );
        for bad in [
            &b"GIF-but-not-really"[..],
            b"",
            b"\x89PNG",
            b"<svg onload=alert(1)>",
            b"RIFF\0\0\0\0WAVEfmt ",
            b"%PDF-1.7",
        ] {
            assert_eq!(sniff(bad), None, "{bad:?}");
        }
    }
}
