//! The browser and operating system of a batch, as two coarse values derived at ingest from the
//! request's `User-Agent` header (as Plausible does): a browser family with its major version
//! only (`Chrome 131`, `Safari 17`; an in-app browser by its app, `Instagram`), and an OS family
//! without a version (`iOS`, `Windows`). The SDK sends nothing of the kind (fingerprinting); the
//! header comes with every request anyway. Only these two values are kept, never the header.
//!
//! The header is the client's to write: a crawler that says it is Chrome is counted as Chrome.
//! Automated traffic is told apart as before, by the SDK's `context.automated`, not by this.

/// A request's browser and OS, as stored with each of its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// A browser family, with its major version when the header gives one: `Chrome 131`,
    /// `Safari 17`, `Instagram`, `Other`.
    pub browser: String,
    /// One of [`OS_NAMES`].
    pub os: &'static str,
}

/// Every OS family [`derive`] gives.
pub const OS_NAMES: [&str; 8] = ["Android", "iOS", "iPadOS", "Windows", "macOS", "Linux", "ChromeOS", "Other"];

/// Longest version number kept as a major version (more digits: the family alone). Keeps what a
/// client may write into the column to a bounded set of values.
const MAX_MAJOR_DIGITS: usize = 4;

/// The browser and OS of a `User-Agent` header; `None` for an empty one (as for none at all: a
/// sender that is no browser, whose events are of no browser). Never fails: anything it does
/// not recognise is `Other`.
pub fn derive(ua: &str) -> Option<Agent> {
    let ua = ua.trim();
    if ua.is_empty() {
        return None;
    }
    let os = os_of(ua);
    Some(Agent { browser: browser_of(ua, os), os })
}

/// The OS family. The order matters: Android's and iOS's headers say `Linux` and `like Mac OS
/// X`, Windows Phone's `Android` and `iPhone`. An iPad in desktop mode (Safari's default on an
/// iPad since iPadOS 13) sends a Mac's header: it is macOS here, since nothing in the header
/// tells them apart.
fn os_of(ua: &str) -> &'static str {
    let has = |t: &str| ua.contains(t);
    if has("Windows Phone") {
        "Other"
    } else if has("CrOS") {
        "ChromeOS"
    } else if has("Android") {
        "Android"
    } else if has("iPad") {
        "iPadOS"
    } else if has("iPhone") || has("iPod") {
        "iOS"
    } else if has("Windows") {
        "Windows"
    } else if has("Macintosh") || has("Mac OS X") {
        "macOS"
    } else if has("Linux") {
        "Linux"
    } else {
        "Other"
    }
}

/// The browser family and major version. The order matters: most browsers' headers name others
/// too (Edge's, Opera's and Samsung Internet's say `Chrome/` and `Safari/`, Chrome's `Safari/`,
/// an Android WebView's `Chrome/`, an in-app browser's those of the engine it runs on), so each
/// is looked for before those it may name.
fn browser_of(ua: &str, os: &str) -> String {
    let has = |t: &str| ua.contains(t);
    // In-app browsers, by their app (no version: the app's, not a browser's).
    if has("Instagram ") {
        return "Instagram".into();
    }
    if has("FBAN/") || has("FBAV/") || has("FB_IAB/") {
        return "Facebook".into();
    }
    if has("musical_ly") || has("BytedanceWebview") || has("TikTok") {
        return "TikTok".into();
    }
    // Browsers built on Chromium or WebKit, which name Chrome or Safari as well.
    const NAMED: [(&str, &str); 11] = [
        ("SamsungBrowser/", "Samsung Internet"),
        ("OPR/", "Opera"),
        ("OPiOS/", "Opera"),
        ("EdgA/", "Edge"),
        ("EdgiOS/", "Edge"),
        ("Edg/", "Edge"),
        ("Edge/", "Edge"),
        ("YaBrowser/", "Yandex Browser"),
        ("Vivaldi/", "Vivaldi"),
        ("UCBrowser/", "UC Browser"),
        // Chrome and Firefox on iOS: WebKit inside, named apart.
        ("CriOS/", "Chrome"),
    ];
    for (token, family) in NAMED {
        if let Some(rest) = after(ua, token) {
            return named(family, rest);
        }
    }
    if let Some(rest) = after(ua, "FxiOS/") {
        return named("Firefox", rest);
    }
    // An app's Android WebView (`; wv)`): Chrome's engine, but no Chrome the visitor chose.
    if has("; wv)") {
        return named("Android WebView", after(ua, "Chrome/").unwrap_or(""));
    }
    if let Some(rest) = after(ua, "Firefox/") {
        return named("Firefox", rest);
    }
    // (`HeadlessChrome/` too: a Chrome.)
    if let Some(rest) = after(ua, "Chrome/") {
        return named("Chrome", rest);
    }
    if let Some(rest) = after(ua, "MSIE ") {
        return named("Internet Explorer", rest);
    }
    if has("Trident/") {
        return named("Internet Explorer", after(ua, "rv:").unwrap_or(""));
    }
    if let Some(rest) = after(ua, "Opera/") {
        return named("Opera", after(ua, "Version/").unwrap_or(rest));
    }
    // Safari names its own version in `Version/`; `Safari/` is WebKit's build. An Android's old
    // stock browser says both too, and an iOS app's web view neither (it is `Other`).
    if matches!(os, "iOS" | "iPadOS" | "macOS") && has("Safari/") {
        if let Some(rest) = after(ua, "Version/") {
            return named("Safari", rest);
        }
    }
    "Other".into()
}

/// What follows the first `token` in `ua`.
fn after<'a>(ua: &'a str, token: &str) -> Option<&'a str> {
    ua.find(token).map(|at| &ua[at + token.len()..])
}

/// `family` and the major version `rest` starts with (its leading digits), if it has one of at
/// most [`MAX_MAJOR_DIGITS`] digits.
fn named(family: &str, rest: &str) -> String {
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    match rest[..digits].parse::<u32>() {
        Ok(major) if digits <= MAX_MAJOR_DIGITS => format!("{family} {major}"),
        _ => family.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real headers, as browsers and apps sent them, and what is kept of each.
    const TABLE: &[(&str, &str, &str)] = &[
        // Desktop.
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Chrome 131",
            "Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Chrome 131",
            "macOS",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
            "Chrome 130",
            "Linux",
        ),
        (
            "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Chrome 131",
            "ChromeOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge 131",
            "Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19582",
            "Edge 18",
            "Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/114.0.0.0",
            "Opera 114",
            "Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox 133",
            "Windows",
        ),
        ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0", "Firefox 132", "Linux"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox 133",
            "macOS",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
            "Safari 17",
            "macOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 YaBrowser/24.10.0.0 Safari/537.36",
            "Yandex Browser 24",
            "Windows",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Vivaldi/7.0.3495.18",
            "Vivaldi 7",
            "Linux",
        ),
        ("Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko", "Internet Explorer 11", "Windows"),
        ("Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; Trident/6.0)", "Internet Explorer 10", "Windows"),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.33 Safari/537.36",
            "Chrome 131",
            "Linux",
        ),
        // iPhone and iPad.
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
            "Safari 17",
            "iOS",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari 18",
            "iOS",
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 16_7_10 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
            "Safari 16",
            "iPadOS",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
            "Chrome 131",
            "iOS",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15",
            "Firefox 133",
            "iOS",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 EdgiOS/131.0.2903.68 Mobile/15E148 Safari/605.1.15",
            "Edge 131",
            "iOS",
        ),
        // An iPad in desktop mode (Safari's default since iPadOS 13): a Mac's header.
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
            "Safari 17",
            "macOS",
        ),
        // The Google app on iOS (no `Version/`): an app's web view.
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) GSA/342.0.698836037 Mobile/15E148 Safari/604.1",
            "Other",
            "iOS",
        ),
        // Android.
        (
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome 131",
            "Android",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
            "Samsung Internet 26",
            "Android",
        ),
        (
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36 OPR/85.0.0.0",
            "Opera 85",
            "Android",
        ),
        (
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.0.0",
            "Edge 131",
            "Android",
        ),
        ("Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0", "Firefox 133", "Android"),
        (
            "Mozilla/5.0 (Linux; Android 13; SM-S908B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/114.0.5735.196 Mobile Safari/537.36",
            "Android WebView 114",
            "Android",
        ),
        (
            "Mozilla/5.0 (Linux; U; Android 4.0.3; en-us; GT-I9100 Build/IML74K) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30",
            "Other",
            "Android",
        ),
        (
            "Mozilla/5.0 (Linux; U; Android 10; en-US; RMX2185 Build/QP1A.190711.020) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/78.0.3904.108 UCBrowser/13.4.0.1306 Mobile Safari/537.36",
            "UC Browser 13",
            "Android",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
            "Chrome 131",
            "Android",
        ),
        // Tablets on Android are Android.
        (
            "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Chrome 131",
            "Android",
        ),
        // In-app browsers, by their app.
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 356.0.3.27.92 (iPhone14,5; iOS 17_6_1; en_US; en; scale=3.00; 1170x2532; 653203452; IABMV/1)",
            "Instagram",
            "iOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-A546B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.107 Mobile Safari/537.36 Instagram 356.0.0.41.101 Android (34/14; 450dpi; 1080x2125; samsung; SM-A546B; a54x; s5e8835; de_DE; 653137361)",
            "Instagram",
            "Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/489.0.0.51.107;FBBV/665519478;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.6.1;FBSS/3;FBID/phone;FBLC/de_DE;FBOP/5;FBRV/667381128]",
            "Facebook",
            "iOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240905.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.58 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/486.0.0.66.70;]",
            "Facebook",
            "Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 musical_ly_36.5.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/en Region/US FalconTag/A4EEE0B3",
            "TikTok",
            "iOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 12; SM-G991B Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.193 Mobile Safari/537.36 trill_330404 JsSdk/1.0 NetType/WIFI Channel/googleplay AppName/trill app_version/33.4.4 ByteLocale/en ByteFullLocale/en Region/US BytedanceWebview/d8a21c6",
            "TikTok",
            "Android",
        ),
        // Windows Phone names Android and iPhone too.
        (
            "Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0.2743.116 Mobile Safari/537.36 Edge/15.15063",
            "Edge 15",
            "Other",
        ),
        // No browser.
        ("curl/8.5.0", "Other", "Other"),
        ("node", "Other", "Other"),
        ("python-requests/2.32.3", "Other", "Other"),
    ];

    #[test]
    fn real_headers() {
        for (ua, browser, os) in TABLE {
            let a = derive(ua).expect("a header");
            assert_eq!((a.browser.as_str(), a.os), (*browser, *os), "{ua}");
            assert!(OS_NAMES.contains(&a.os));
        }
    }

    #[test]
    fn no_header_is_no_browser() {
        assert_eq!(derive(""), None);
        assert_eq!(derive("  "), None);
    }

    /// A version no browser has (or a made-up one, to write anything into the column): the family
    /// alone. No minor version is ever kept.
    #[test]
    fn only_a_short_major_version() {
        let b = |ua: &str| derive(ua).unwrap().browser;
        assert_eq!(b("Mozilla/5.0 (Windows NT 10.0) Chrome/123456789.1"), "Chrome");
        assert_eq!(b("Mozilla/5.0 (Windows NT 10.0) Chrome/"), "Chrome");
        assert_eq!(b("Mozilla/5.0 (Windows NT 10.0) Chrome/x1"), "Chrome");
        assert_eq!(b("Mozilla/5.0 (Windows NT 10.0) Chrome/0131.0.6778.33"), "Chrome 131");
        assert_eq!(b("Mozilla/5.0 (Windows NT 10.0) Firefox/133.0.3"), "Firefox 133");
        // Cut anywhere, even inside a multi-byte character: no panic.
        let full = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) Version/17.6 Mobile/15E148 Safari/604.1 é";
        for (i, _) in full.char_indices() {
            let _ = derive(&full[..i]);
        }
    }
}
