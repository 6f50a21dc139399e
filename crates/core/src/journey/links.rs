//! Clicks on links that leave the site (`outbound_click`) or fetch a file (`file_download`).

use super::super::json::Obj;
use super::super::scrub::scrub_url;
use super::url::{extension, host, same_site};

/// Default `data-download-extensions`.
pub const DOWNLOADS: &str =
    "pdf,zip,rar,7z,gz,dmg,pkg,deb,iso,exe,msi,apk,csv,xls,xlsx,doc,docx,ppt,pptx,txt,rtf,epub,mp3,wav,mp4,mov,avi";

/// The touchpoint a click on a link to `href` makes, if any: its name and properties.
/// `download`: the link has a `download` attribute. Only http(s) links count (not mailto:, tel:,
/// javascript:).
pub fn touchpoint(
    href: &str,
    download: bool,
    page_url: &str,
    extensions: &[String],
    mask: &[String],
) -> Option<(&'static str, String)> {
    let to = host(href);
    if to.is_empty() {
        return None;
    }
    let url = scrub_url(href, mask);
    let ext = extension(href);
    let o = Obj::new().str("category", "touchpoint").str("url", &url);
    if download || ext.as_ref().is_some_and(|e| extensions.contains(e)) {
        return Some(("file_download", o.str("extension", &ext.unwrap_or_default()).finish()));
    }
    (!same_site(&to, &host(page_url))).then(|| ("outbound_click", o.str("host", &to).finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outbound_and_downloads() {
        let ext: Vec<String> = DOWNLOADS.split(',').map(String::from).collect();
        let page = "https://www.shop.test/p/1";
        let t = |href: &str, dl: bool| touchpoint(href, dl, page, &ext, &[]);
        assert_eq!(
            t("https://partner.test/x?token=abc", false),
            Some((
                "outbound_click",
                r#"{"category":"touchpoint","url":"https://partner.test/x?token=***","host":"partner.test"}"#.into()
            ))
        );
        assert_eq!(t("https://shop.test/other", false), None, "www. and bare host are one site");
        assert_eq!(t("https://www.shop.test/manual.PDF", false).unwrap().0, "file_download");
        assert!(t("https://cdn.test/get?id=1", true).unwrap().1.contains(r#""extension":"""#));
        assert_eq!(t("mailto:help@shop.test", false), None);
        assert_eq!(t("javascript:void(0)", false), None);
    }
}
