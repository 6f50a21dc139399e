//! Where a session came from: campaign parameters, click ids, the referrer, and one channel
//! name by the rules below (the README's "Channels" table lists them in the same order). The
//! vocabularies are GA4's default channel grouping's, so that a marketer's report here and
//! there agree for the same tagging; where the rules differ (a medium decides before the source
//! does; a webmail referrer is `email`), the README says so.
//!
//! 1. A paid click id: `gclid`, `gbraid`, `wbraid`, `msclkid` → `paid_search`; `dclid` →
//!    `display`; `ttclid`, `twclid`, `li_fat_id`, `rdt_cid` → `paid_social`. (`fbclid` is added
//!    to every link leaving Facebook, paid or not: it counts as `social`, rule 4.)
//! 2. `utm_medium`: display/banner/cpm/expandable/interstitial → `display`; a paid medium (one
//!    containing "cp", beginning with "paid", ppc, retargeting, sem) → `paid_social` from a social
//!    network (or a medium naming social), `paid_video` from a video site, `paid_search` from a
//!    search engine (or a medium naming search), `paid_other` from any other source;
//!    email/e-mail/e_mail/e mail/newsletter → `email`; one containing "social", or sm →
//!    `social`; one containing "video" → `video`; one ending in "push" or containing "mobile" or
//!    "notification" → `push`; affiliate → `affiliate`; referral/app/link → `referral`; audio →
//!    `audio`; sms (or an sms source) → `sms`; any other medium: rule 3.
//! 3. `utm_source`: a search engine → `organic_search`, a social network → `social`, a video
//!    site → `video`; otherwise `organic_search` for the medium organic, else `other`.
//! 4. `fbclid` → `social`. The referrer: none → `direct`; this site → `internal`; a webmail →
//!    `email`; Google's hosts that are not its search (Docs, Drive, Maps, Gemini, sign-in) →
//!    `referral`; a search engine → `organic_search`; a social network → `social`; a video site
//!    → `video`; any other site → `referral`.

use super::super::json::{words, Obj};
use super::super::scrub::{clean, contains_ci};
use super::url::{host, param, same_site};

const CLICK_IDS: [(&str, &str); 9] = [
    ("gclid", "paid_search"),
    ("gbraid", "paid_search"),
    ("wbraid", "paid_search"),
    ("msclkid", "paid_search"),
    ("dclid", "display"),
    ("ttclid", "paid_social"),
    ("twclid", "paid_social"),
    ("li_fat_id", "paid_social"),
    ("rdt_cid", "paid_social"),
];
// (Comma-ended word lists: see json::words.)
const SEARCH: &str = "google,bing,duckduckgo,yahoo,baidu,yandex,ecosia,qwant,startpage,search.brave";
/// Google's own hosts that are no search: a link in a shared Doc, a "Sign in with Google"
/// round trip, an answer of Gemini's (all were `organic_search`: a marketer's QA).
const NOT_SEARCH: &str = "docs.google,drive.google,accounts.google,gemini.google,maps.google";
/// (`fb` and `ig` as sources: the values Meta's own URL parameters write.)
/// (`zhiliaoapp`: TikTok's Android package, `com.zhiliaoapp.musically`, see `referrer_host`.)
const SOCIAL: &str = "facebook,fb,instagram,ig,t.co,twitter,x.com,linkedin,lnkd.in,pinterest,pin.it,reddit,tiktok,threads,snapchat,whatsapp,zhiliaoapp";
const VIDEO: &str = "youtube,youtu.be,vimeo,twitch,dailymotion";
/// (`android.gm`: Gmail's Android package, `com.google.android.gm`; `android.mail`, Yahoo Mail's,
/// `com.yahoo.mobile.client.android.mail`, which was `organic_search` by its `yahoo`;
/// `android.email`, Samsung Email's; `office.outlook`, Outlook's. Outlook on the web for work,
/// its Safe Links, AOL, Proton, iCloud, WEB.DE and GMX were `referral`: an email marketer's QA.)
const MAIL: &str = "mail.google,outlook.live,outlook.office,outlook.office365,safelinks.protection.outlook,mail.yahoo,mail.aol,mail.proton,icloud,web.de,gmx,webmail,android.gm,android.mail,android.email,office.outlook";
const EMAIL: &str = "email,e-mail,e_mail,e mail,newsletter";

/// Whether `host` (or a source name like "google") belongs to one of `names`: one of its
/// dot-separated label runs starts with the name followed by a dot or the end (google.de,
/// news.google.com, m.facebook.com, t.co), never a mere substring (notgoogle.test).
fn matches(host: &str, names: &'static str) -> bool {
    let b = host.as_bytes();
    (0..b.len())
        .filter(|&i| i == 0 || b[i - 1] == b'.')
        .any(|i| words(names).any(|n| b[i..].starts_with(n) && matches!(b.get(i + n.len()), None | Some(b'.'))))
}

/// The channel of a landing on `url` from `referrer`, by the rules at the top of this file.
pub fn channel(url: &str, referrer: &str) -> &'static str {
    if let Some((_, c)) = CLICK_IDS.iter().find(|(id, _)| param(url, id).is_some_and(|v| !v.is_empty())) {
        return c;
    }
    // (Trimmed, as they are stored: ` email` was `other`, shown as "newsletter / email".)
    let source = param(url, "utm_source").unwrap_or_default().trim_ascii().to_ascii_lowercase();
    let m = param(url, "utm_medium").unwrap_or_default().trim_ascii().to_ascii_lowercase();
    let m = m.as_str();
    let (search, social, video) = (matches(&source, SEARCH), matches(&source, SOCIAL), matches(&source, VIDEO));
    let email = |v: &str| words(EMAIL).any(|w| w == v.as_bytes());
    // (A byte loop, not `str::contains`: its substring searcher is a kilobyte of wasm.)
    let has = |w: &str| contains_ci(m.as_bytes(), w.as_bytes(), false);
    let named = if matches!(m, "display" | "banner" | "cpm" | "expandable" | "interstitial") {
        "display"
    } else if has("cp") || m.starts_with("paid") || matches!(m, "ppc" | "retargeting" | "sem") {
        if social || has("social") {
            "paid_social"
        } else if video {
            "paid_video"
        } else if search || has("search") {
            "paid_search"
        } else {
            "paid_other"
        }
    } else if email(m) || email(&source) {
        "email"
    } else if has("social") || m == "sm" {
        "social"
    } else if has("video") {
        "video"
    } else if m.ends_with("push") || has("mobile") || has("notification") {
        "push"
    } else {
        match m {
            "affiliate" => "affiliate",
            "referral" | "app" | "link" => "referral",
            "audio" => "audio",
            _ if m == "sms" || source == "sms" => "sms",
            _ => "",
        }
    };
    if !named.is_empty() {
        return named;
    }
    if !source.is_empty() || !m.is_empty() {
        return if search {
            "organic_search"
        } else if social {
            "social"
        } else if video {
            "video"
        } else if m == "organic" {
            "organic_search"
        } else {
            "other"
        };
    }
    let from = referrer_host(referrer);
    if param(url, "fbclid").is_some_and(|v| !v.is_empty()) {
        "social"
    } else if from.is_empty() {
        "direct"
    } else if same_site(&from, &host(url)) {
        "internal"
    } else if matches(&from, MAIL) {
        "email"
    } else if matches(&from, NOT_SEARCH) {
        "referral"
    } else if matches(&from, VIDEO) {
        // (Before search: YouTube's app is `com.google.android.youtube`.)
        "video"
    } else if matches(&from, SEARCH) {
        "organic_search"
    } else if matches(&from, SOCIAL) {
        "social"
    } else {
        "referral"
    }
}

/// The referrer's host; for an Android app's referrer (`android-app://com.instagram.android/`:
/// what an app's in-app browser or an app link sends), its package name, which names the app
/// as a host names a site (an Instagram bio link was `direct`: an in-app browser QA).
fn referrer_host(referrer: &str) -> String {
    match referrer.get(..14) {
        Some(scheme) if scheme.eq_ignore_ascii_case("android-app://") => {
            let app = &referrer[14..];
            app[..app.bytes().position(|b| b == b'/').unwrap_or(app.len())].to_ascii_lowercase()
        }
        _ => host(referrer),
    }
}

/// The page whose URL tells where a session came from, and its referrer: the landing's own, or,
/// when the landing has no campaign parameters of its own but its referrer is a page of this
/// site that has (the visitor accepted the consent banner on the second page of a campaign
/// visit: until then, sessions last one page), that page, its own referrer unknown.
pub fn landing<'a>(url: &'a str, referrer: &'a str) -> (&'a str, &'a str) {
    if channel(url, "") == "direct" && same_site(&host(referrer), &host(url)) && channel(referrer, "") != "direct" {
        (referrer, "")
    } else {
        (url, referrer)
    }
}

/// The attribution properties of a session's first page view: `channel`, the `utm_*` values
/// present (as `source`, `medium`, `campaign`, `term`, `content`, `campaign_id`), the click id's name (never its
/// value: it identifies the ad click) and the referrer's host.
pub fn properties(o: Obj, url: &str, referrer: &str, channel: &str) -> Obj {
    let mut o = utm(o.str("channel", channel), url, &["source", "medium", "campaign", "term", "content", "id"]);
    let ids = CLICK_IDS.iter().map(|(id, _)| *id).chain(["fbclid"]);
    if let Some(id) = ids.into_iter().find(|id| param(url, id).is_some_and(|v| !v.is_empty())) {
        o = o.str("click_id", id);
    }
    let from = referrer_host(referrer);
    if !from.is_empty() {
        o = o.str("referrer_host", &from);
    }
    o
}

/// Whether `before` (the address of the view before) carries the campaign `url` does: the same
/// `utm_*` values and click id (its name: values are masked in the addresses kept).
pub fn same_campaign(url: &str, before: &str) -> bool {
    let of = |u| properties(Obj::new(), u, "", "").finish();
    of(url) == of(before)
}

/// The `utm_<key>` values present in `url`, as `key` members of `o`. Scrubbed as a site's own
/// values are: an email address, a card or IBAN number, an international phone number masked;
/// the digits of an ad platform's campaign and ad ids kept (`utm_campaign=23851234567890123`,
/// Meta's `{{campaign.id}}`, was `***`, and every campaign tagged so was one row: a marketer's
/// QA; the page's URL kept it all along).
fn utm(mut o: Obj, url: &str, keys: &[&str]) -> Obj {
    for key in keys {
        if let Some(v) = param(url, &super::super::json::cat(&["utm_", key])).filter(|v| !v.is_empty()) {
            // (`utm_id`, GA4's campaign id, joins an ad platform's cost data: `campaign_id`.)
            // (An ad platform's id, digits only, kept as it is though it may pass Luhn's check:
            // see `scrub_url`.)
            let id = v.len() <= 100 && v.bytes().all(|c| c.is_ascii_digit());
            o = o.str(if *key == "id" { "campaign_id" } else { key }, &if id { v } else { clean(&v, 100, false) });
        }
    }
    o
}

/// The session's campaign, which every event of the session carries in its `context` (as it
/// carries the channel): the landing's `utm_source`, `utm_medium` and `utm_campaign`, as JSON
/// members (`"source":"…","medium":"…"`), "" without them. Not `term` and `content`: the ad's
/// details belong on the landing page view, not repeated on every click of the visit.
pub fn campaign(url: &str) -> String {
    let mut o = utm(Obj::new(), url, &["source", "medium"]);
    // A search or display ad click auto-tagged (a gclid or msclkid, no utm_source or utm_medium)
    // is its platform's, as GA4 has it: google / cpc, bing / cpc (every paid click was in the
    // inspector's "(no source / medium)" row, with direct and organic visits, and Google's
    // could not be told from Microsoft's: a marketer's QA). (Not a social network's click id.)
    // (Without utm_source and utm_medium, a paid search or display channel is a click id's.)
    if o.is_empty() && matches!(channel(url, ""), "paid_search" | "display") {
        o = o.str("source", if param(url, "msclkid").is_some() { "bing" } else { "google" }).str("medium", "cpc");
    }
    let o = utm(o, url, &["campaign"]).finish();
    o[1..o.len() - 1].into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHOP: &str = "https://shop.test/landing";

    #[test]
    fn channel_table() {
        let cases = [
            ("?gclid=abc", "", "paid_search"),
            ("?msclkid=1&utm_medium=email", "", "paid_search"),
            ("?dclid=1", "", "display"),
            ("?ttclid=1", "", "paid_social"),
            ("?utm_source=facebook&utm_medium=cpc", "", "paid_social"),
            ("?utm_source=google&utm_medium=CPC", "", "paid_search"),
            ("?utm_source=newsletter&utm_medium=email", "", "email"),
            ("?utm_medium=social", "", "social"),
            ("?utm_medium=banner", "", "display"),
            ("?utm_medium=affiliate", "", "affiliate"),
            ("?utm_medium=organic", "", "organic_search"),
            ("?utm_source=facebook&utm_medium=organic", "", "social"),
            ("?utm_medium=referral", "", "referral"),
            ("?utm_medium=podcast", "", "other"),
            // GA4's vocabularies (a marketer's QA: each was another channel, or `other`).
            ("?utm_source=fb&utm_medium=paid", "", "paid_social"),
            ("?utm_source=ig&utm_medium=paid", "", "paid_social"),
            ("?utm_source=tiktok&utm_medium=paid-social", "", "paid_social"),
            ("?utm_source=x&utm_medium=paid_social", "", "paid_social"),
            ("?utm_source=amazon&utm_medium=cpc", "", "paid_other"),
            ("?utm_medium=cpc", "", "paid_other"),
            ("?utm_medium=retargeting", "", "paid_other"),
            ("?utm_source=criteo&utm_medium=paidsearch", "", "paid_search"),
            ("?utm_source=youtube&utm_medium=cpc", "", "paid_video"),
            ("?utm_source=google&utm_medium=cpm", "", "display"),
            ("?utm_source=youtube", "", "video"),
            ("?utm_medium=video", "", "video"),
            ("?utm_source=email", "", "email"),
            ("?utm_source=mailchimp&utm_medium=E%20Mail", "", "email"),
            ("?utm_medium=social-media", "", "social"),
            ("?utm_medium=social%20media", "", "social"),
            ("?utm_source=instagram&utm_medium=story", "", "social"),
            ("?utm_medium=sms", "", "sms"),
            ("?utm_source=sms", "", "sms"),
            ("?utm_medium=push", "", "push"),
            ("?utm_medium=web-push", "", "push"),
            ("?utm_medium=audio", "", "audio"),
            ("?utm_medium=link", "", "referral"),
            ("", "https://docs.google.com/document/d/1", "referral"),
            ("", "https://accounts.google.com/", "referral"),
            ("", "https://gemini.google.com/app", "referral"),
            ("", "https://news.google.com/", "organic_search"),
            ("", "https://www.youtube.com/watch", "video"),
            ("", "https://youtu.be/x", "video"),
            ("", "https://pin.it/x", "social"),
            ("?utm_source=bing", "", "organic_search"),
            ("?utm_source=instagram", "", "social"),
            ("?utm_source=partner", "", "other"),
            ("?utm_source=", "", "direct"),
            ("?fbclid=x", "", "social"),
            ("", "", "direct"),
            ("", "https://www.shop.test/cart", "internal"),
            ("", "https://www.google.de/", "organic_search"),
            ("", "https://duckduckgo.com/", "organic_search"),
            ("", "https://m.facebook.com/", "social"),
            ("", "https://t.co/xyz", "social"),
            ("", "https://mail.google.com/mail/u/0", "email"),
            ("", "https://blog.example/post", "referral"),
            // Android apps' referrers, by their package (in-app browsers, app links).
            ("", "android-app://com.x", "referral"),
            ("", "android-app://com.instagram.android/", "social"),
            ("", "ANDROID-APP://com.facebook.katana", "social"),
            ("", "android-app://com.zhiliaoapp.musically/", "social"),
            ("", "android-app://com.google.android.gm/", "email"),
            ("", "android-app://com.yahoo.mobile.client.android.mail/", "email"),
            ("", "android-app://com.samsung.android.email.provider/", "email"),
            ("", "android-app://com.microsoft.office.outlook/", "email"),
            ("", "https://outlook.office.com/", "email"),
            ("", "https://outlook.office365.com/", "email"),
            ("", "https://eur01.safelinks.protection.outlook.com/", "email"),
            ("", "https://mail.aol.com/", "email"),
            ("", "https://mail.proton.me/", "email"),
            ("", "https://www.icloud.com/", "email"),
            ("", "https://navigator.gmx.net/", "email"),
            ("", "https://3c.web.de/", "email"),
            ("", "https://search.yahoo.com/", "organic_search"),
            ("?utm_source=%20newsletter&utm_medium=%20email", "", "email"),
            ("?utm_source=newsletter%20&utm_medium=email%20", "", "email"),
            ("", "android-app://com.google.android.googlequicksearchbox/", "organic_search"),
            ("", "android-app://com.google.android.youtube/", "video"),
        ];
        for (query, referrer, want) in cases {
            assert_eq!(channel(&[SHOP, query].concat(), referrer), want, "{query} from {referrer:?}");
        }
        // An ad's id passing Luhn's check is kept (a card written in a campaign value is not).
        let ad = properties(
            Obj::new(),
            "https://shop.test/?utm_content=120212345678900456&utm_term=4111-1111-1111-1111",
            "",
            "x",
        );
        assert!(ad.finish().ends_with(r#""term":"***","content":"120212345678900456"}"#));
        let o = properties(Obj::new(), SHOP, "android-app://com.instagram.android/", "social").finish();
        assert!(o.ends_with(r#""referrer_host":"com.instagram.android"}"#), "{o}");
    }

    /// The session's campaign (every event's context): an auto-tagged search or display ad
    /// click is its platform's source, medium cpc, unless the link says its own.
    #[test]
    fn an_auto_tagged_clicks_source_and_medium() {
        let c = |q: &str| campaign(&format!("{SHOP}{q}"));
        assert_eq!(c("?gclid=Cj0abc"), r#""source":"google","medium":"cpc""#);
        assert_eq!(c("?msclkid=1&utm_campaign=spring"), r#""source":"bing","medium":"cpc","campaign":"spring""#);
        assert_eq!(c("?dclid=1"), r#""source":"google","medium":"cpc""#);
        assert_eq!(c("?gclid=1&utm_source=newsletter"), r#""source":"newsletter""#);
        assert_eq!(c("?gclid=1&utm_medium=email"), r#""medium":"email""#);
        assert_eq!(c("?gclid="), "");
        assert_eq!(c("?ttclid=1"), "");
        assert_eq!(c("?fbclid=1"), "", "no ad click: Facebook adds it to every link");
    }

    #[test]
    fn a_landing_is_the_page_of_this_site_that_had_the_campaign() {
        let ad = "https://www.shop.test/?utm_medium=email";
        assert_eq!(landing(SHOP, ad), (ad, ""));
        assert_eq!(landing(SHOP, "https://shop.test/?fbclid=1"), ("https://shop.test/?fbclid=1", ""));
        // Its own parameters win; another site's are that site's; an internal page without any.
        assert_eq!(landing("https://shop.test/?gclid=1", ad), ("https://shop.test/?gclid=1", ad));
        let other = "https://blog.test/?utm_medium=email";
        assert_eq!(landing(SHOP, other), (SHOP, other));
        assert_eq!(landing(SHOP, "https://shop.test/cart"), (SHOP, "https://shop.test/cart"));
        assert_eq!(channel("https://shop.test/?gclid=&fbclid=", ""), "direct", "empty click ids are none");
    }

    #[test]
    fn hosts_are_matched_by_label_not_substring() {
        assert!(!matches("notgoogle.test", SEARCH));
        assert!(!matches("tiktokker.blog", SOCIAL));
        assert!(matches("news.google.com", SEARCH));
    }

    #[test]
    fn properties_carry_utm_values_and_the_click_id_name_only() {
        let url = "https://shop.test/?utm_source=spring+mail&utm_medium=email&utm_campaign=sale%2026&gclid=SECRET";
        let p = properties(Obj::new(), url, "https://mail.example/", "paid_search").finish();
        assert_eq!(
            p,
            r#"{"channel":"paid_search","source":"spring mail","medium":"email","campaign":"sale 26","click_id":"gclid","referrer_host":"mail.example"}"#
        );
        let p = properties(Obj::new(), "https://shop.test/?utm_term=jane@mail.test", "", "other").finish();
        assert!(!p.contains("jane@"), "{p}");
        // An ad platform's ids are the campaign's name there: kept.
        let p = properties(
            Obj::new(),
            "https://shop.test/?utm_campaign=23851234567890128&utm_content=gads_20123456789",
            "",
            "other",
        )
        .finish();
        assert_eq!(p, r#"{"channel":"other","campaign":"23851234567890128","content":"gads_20123456789"}"#);
    }
}
