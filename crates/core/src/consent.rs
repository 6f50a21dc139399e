//! The consent state machine. Pure: the web layer feeds it the page's choices and the browser's
//! signals, and asks it what is allowed.
//!
//! Categories:
//! - necessary: always on, and allows nothing to be sent or stored (so it has no state here);
//! - analytics: touchpoints and friction events may be sent; the unsent queue may be stored;
//! - marketing: an anonymous id that survives across visits may be stored.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Pending,
    Granted,
    Denied,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Granted => "granted",
            State::Denied => "denied",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Analytics,
    Marketing,
}

/// Maps a key of a consent object to a category. Google Consent Mode names are accepted as
/// aliases so a site already wired for gtag can pass the same object.
pub fn category(key: &str) -> Option<Category> {
    match key {
        "analytics" | "analytics_storage" => Some(Category::Analytics),
        "marketing" | "ad_storage" | "ad_user_data" | "ad_personalization" => Some(Category::Marketing),
        _ => None,
    }
}

/// Browser privacy signals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Signals {
    /// `navigator.globalPrivacyControl === true`: an opt-out of sale/sharing (CCPA) and, for us,
    /// of cross-visit identifiers.
    pub gpc: bool,
    /// `navigator.doNotTrack === "1"`, only honoured when the site opts in.
    pub dnt: bool,
    pub honor_dnt: bool,
    /// The page's consent platform says, through the IAB Global Privacy Platform (`__gpp`), that
    /// the visitor opted out of the sale or sharing of their data or of targeted advertising
    /// under a US state law (CCPA/CPRA and the others): as GPC, for as long as it says so.
    pub us_opt_out: bool,
}

impl Signals {
    /// True when marketing must stay denied whatever the page asks.
    pub fn forbid_marketing(&self) -> bool {
        self.gpc || self.us_opt_out || (self.honor_dnt && self.dnt)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Consent {
    pub analytics: State,
    pub marketing: State,
}

/// A requested change: None leaves a category as it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Update {
    pub analytics: Option<bool>,
    pub marketing: Option<bool>,
}

impl Update {
    pub fn set(&mut self, category: Category, granted: bool) {
        match category {
            Category::Analytics => self.analytics = Some(granted),
            Category::Marketing => self.marketing = Some(granted),
        }
    }
}

fn state(granted: bool) -> State {
    if granted {
        State::Granted
    } else {
        State::Denied
    }
}

impl Consent {
    pub const PENDING: Consent = Consent { analytics: State::Pending, marketing: State::Pending };

    /// Applies a change. Any transition is allowed (pending→granted, granted→denied,
    /// denied→granted…) except granting marketing against a browser opt-out signal.
    pub fn apply(self, update: Update, signals: Signals) -> Consent {
        let mut next = self;
        if let Some(a) = update.analytics {
            next.analytics = state(a);
        }
        if let Some(m) = update.marketing {
            next.marketing = state(m);
        }
        next.enforce(signals)
    }

    pub fn enforce(mut self, signals: Signals) -> Consent {
        if signals.forbid_marketing() {
            self.marketing = State::Denied;
        }
        self
    }

    pub fn may_send(&self) -> bool {
        self.analytics == State::Granted
    }

    pub fn may_store_queue(&self) -> bool {
        self.analytics == State::Granted
    }

    pub fn may_store_identity(&self) -> bool {
        self.marketing == State::Granted
    }

    /// The id may be written to storage: marketing granted, and analytics not denied (a denial
    /// removes every key of ours, the id's too, and nothing is written while it lasts; the id
    /// in use is kept in memory and stored again when analytics is granted).
    pub fn may_write_identity(&self) -> bool {
        self.may_store_identity() && self.analytics != State::Denied
    }
}

/// IAB TCF v2.2 purposes → categories (documented in the README):
/// - analytics: purpose 1 (store/access information on a device) AND purpose 8 (measure content
///   performance) — touchpoints and friction are measurement of the site's own content;
/// - marketing: purpose 1 AND purpose 2 (basic ads) AND purpose 7 (measure advertising
///   performance) — a cross-visit id used for campaign attribution.
///
/// When GDPR does not apply (`gdprApplies === false`) the CMP grants nothing and asks nothing:
/// both categories follow `gdpr_applies == false` as granted (TCF semantics), as a default
/// (`input::ConsentSource::TcfNotApplicable`): what the visitor decided stands.
pub fn from_tcf(gdpr_applies: bool, purpose_granted: impl Fn(u8) -> bool) -> Update {
    if !gdpr_applies {
        return Update { analytics: Some(true), marketing: Some(true) };
    }
    let storage = purpose_granted(1);
    Update {
        analytics: Some(storage && purpose_granted(8)),
        marketing: Some(storage && purpose_granted(2) && purpose_granted(7)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Signals = Signals { gpc: false, dnt: false, honor_dnt: false, us_opt_out: false };

    #[test]
    fn grants_and_revokes_take_effect() {
        let c = Consent::PENDING;
        assert!(!c.may_send() && !c.may_store_queue() && !c.may_store_identity());
        let c = c.apply(Update { analytics: Some(true), marketing: None }, NONE);
        assert!(c.may_send() && c.may_store_queue() && !c.may_store_identity());
        assert_eq!(c.marketing, State::Pending);
        let c = c.apply(Update { analytics: Some(false), marketing: Some(true) }, NONE);
        assert_eq!(c, Consent { analytics: State::Denied, marketing: State::Granted });
        assert!(!c.may_send());
        let c = c.apply(Update { analytics: Some(true), marketing: None }, NONE);
        assert!(c.may_send(), "denied -> granted is allowed");
    }

    #[test]
    fn gpc_denies_marketing_whatever_the_page_asks() {
        let gpc = Signals { gpc: true, ..NONE };
        let c = Consent::PENDING.enforce(gpc);
        assert_eq!(c.marketing, State::Denied);
        let c = c.apply(Update { analytics: Some(true), marketing: Some(true) }, gpc);
        assert_eq!(c, Consent { analytics: State::Granted, marketing: State::Denied });
    }

    #[test]
    fn dnt_only_counts_when_the_site_opts_in() {
        let dnt = Signals { dnt: true, ..NONE };
        let both = Update { analytics: Some(true), marketing: Some(true) };
        assert_eq!(Consent::PENDING.apply(both, dnt).marketing, State::Granted);
        let honored = Signals { honor_dnt: true, ..dnt };
        assert_eq!(Consent::PENDING.apply(both, honored).marketing, State::Denied);
    }

    #[test]
    fn consent_mode_aliases() {
        assert_eq!(category("analytics_storage"), Some(Category::Analytics));
        assert_eq!(category("ad_storage"), Some(Category::Marketing));
        assert_eq!(category("marketing"), Some(Category::Marketing));
        assert_eq!(category("necessary"), None);
        assert_eq!(category("Analytics"), None);
    }

    #[test]
    fn tcf_mapping() {
        let with = |ps: &'static [u8]| move |p| ps.contains(&p);
        assert_eq!(from_tcf(true, with(&[])), Update { analytics: Some(false), marketing: Some(false) });
        assert_eq!(from_tcf(true, with(&[8])), Update { analytics: Some(false), marketing: Some(false) });
        assert_eq!(from_tcf(true, with(&[1, 8])), Update { analytics: Some(true), marketing: Some(false) });
        assert_eq!(from_tcf(true, with(&[1, 2, 7])), Update { analytics: Some(false), marketing: Some(true) });
        assert_eq!(from_tcf(true, with(&[1, 2, 7, 8])), Update { analytics: Some(true), marketing: Some(true) });
        assert_eq!(from_tcf(false, with(&[])), Update { analytics: Some(true), marketing: Some(true) });
    }
}
