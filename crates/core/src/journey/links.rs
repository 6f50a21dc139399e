//! Clicks on links that leave the site (`outbound_click`) or fetch a file (`file_download`).

use super::super::json::Obj;
use super::super::scrub::scrub_url;
use super::url::{extension, host, listed, same_site};

/// Default `data-download-extensions`.
pub const DOWNLOADS: &str =
    "pdf,zip,rar,7z,gz,dmg,pkg,deb,iso,exe,msi,apk,csv,xls,xlsx,doc,docx,ppt,pptx,txt,rtf,epub,mp3,wav,mp4,mov,avi";

/// The touchpoint a click on a link to `href` makes, if any: its name and properties.
/// `download`: the link's `download` attribute, the file name it gives (see `Click::download`).
/// Only http(s) links count (not mailto:, tel:, javascript:), and a Blob or data link with a
/// `download` attribute: a file the page made (an invoice, a CSV export, a ticket), whose
/// address says nothing (a random id, or the file itself), so only "blob:" or "data:" is sent,
/// with the extension of the name the page gave it (a download store's and an account area's
/// QA: their invoices and exports were no file_download).
/// `domains`: the shop's other domains, whose pages are no other site's (a checkout on
/// pay.shop.example was an outbound_click, its address with the visit's `_tp`: a marketer's QA).
pub fn touchpoint(
    href: &str,
    download: Option<&str>,
    page_url: &str,
    extensions: &[String],
    mask: &[String],
    domains: &[String],
) -> Option<(&'static str, String)> {
    let to = host(href);
    let made = href.starts_with("blob:") || href.starts_with("data:");
    if to.is_empty() && !(made && download.is_some()) {
        return None;
    }
    let url = if made { href[..5].into() } else { scrub_url(href, mask) };
    // The name the page gave the file is the one saved: it says the type where the address does
    // not (/invoice?id=7). (A Blob's address has no extension, a data: one none of a file's.)
    let ext = download.and_then(extension).or_else(|| extension(href));
    let o = Obj::new().str("category", "touchpoint").str("url", &url);
    if download.is_some() || ext.as_ref().is_some_and(|e| extensions.contains(e)) {
        return Some(("file_download", o.str("extension", &ext.unwrap_or_default()).finish()));
    }
    (!same_site(&to, &host(page_url)) && !listed(&to, domains)).then(|| ("outbound_click", o.str("host", &to).finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outbound_and_downloads() {
        let ext: Vec<String> = DOWNLOADS.split(',').map(String::from).collect();
        let page = "https://www.shop.test/p/1";
        let t = |href: &str, dl: bool| touchpoint(href, dl.then_some(""), page, &ext, &[], &[]);
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
        // The shop's other domains (data-cross-domain) and those below them are its own.
        let own = ["pay.shop.test".to_string()];
        let to = |href: &str| touchpoint(href, None, page, &ext, &[], &own).map(|t| t.0);
        assert_eq!(to("https://pay.shop.test/checkout?_tp=1~2"), None);
        assert_eq!(to("https://eu.pay.shop.test/"), None);
        assert_eq!(to("https://evilpay.shop.test/"), Some("outbound_click"));
        assert_eq!(to("https://pay.shop.test.evil/"), Some("outbound_click"));
        // A file the page made: its address is not sent, its given name's extension is.
        let made = |href: &str, name: &str| touchpoint(href, Some(name), page, &ext, &[], &[]);
        assert_eq!(
            made("blob:https://www.shop.test/0b9e-41", "invoice-jane-doe.PDF"),
            Some(("file_download", r#"{"category":"touchpoint","url":"blob:","extension":"pdf"}"#.into()))
        );
        assert_eq!(
            made("data:text/csv;base64,YSxi", "orders.csv").unwrap().1,
            r#"{"category":"touchpoint","url":"data:","extension":"csv"}"#
        );
        assert_eq!(made("blob:https://www.shop.test/0b9e-41", "").unwrap().0, "file_download");
        assert_eq!(t("blob:https://www.shop.test/0b9e-41", false), None, "a Blob opened, not downloaded");
        assert_eq!(t("data:text/plain,hello", false), None);
        // An address without a file's extension takes the given name's.
        assert!(made("https://www.shop.test/invoice?id=7", "Invoice 7.pdf")
            .unwrap()
            .1
            .contains(r#""extension":"pdf""#));
    }
}
