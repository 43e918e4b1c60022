package feeds

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

// trackingParams are query parameters that mark how a reader arrived, not
// which article: CanonicalURL drops them. Names ending in "_" match a
// prefix.
var trackingParams = []string{
	"utm_", "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
	"igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_enc_id",
	"oly_anon_id", "vero_id", "wickedid", "xtor", "at_medium", "at_campaign", "at_", "ns_", "s_cid",
	"cmpid", "ocid", "ito", "sc_cid", "ref_src", "spm", "smid", "soc_src", "soc_trk",
}

func isTracking(name string) bool {
	name = strings.ToLower(name)
	for _, p := range trackingParams {
		if strings.HasSuffix(p, "_") && strings.HasPrefix(name, p) || name == p {
			return true
		}
	}
	return false
}

// CanonicalURL resolves raw against base (which may be nil) and normalises
// it so that links to one article compare equal: scheme and host in lower
// case, no default port, no fragment, tracking parameters (utm_*, fbclid,
// gclid, …) removed and the rest sorted. It returns "" for anything that is
// not an absolute http or https URL after resolving.
func CanonicalURL(raw string, base *url.URL) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if port := u.Port(); port != "" && !(u.Scheme == "http" && port == "80" || u.Scheme == "https" && port == "443") {
		host += ":" + port
	}
	u.Host = host
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path = "/"
	}
	q := u.Query()
	for k := range q {
		if isTracking(k) {
			delete(q, k)
		}
	}
	u.RawQuery = q.Encode() // sorted by key
	u.ForceQuery = false
	return u.String()
}

// IdentityKey is what makes two items one article: the GUID (a URL GUID
// canonicalised, any other scoped by the feed, whose GUIDs are only its
// own), else the canonical link, else the body's hash.
func IdentityKey(feed, guid, canonicalLink, bodyHash string) string {
	guid = strings.TrimSpace(guid)
	if guid != "" {
		if c := CanonicalURL(guid, nil); c != "" {
			return "url:" + c
		}
		return "guid:" + feed + ":" + guid
	}
	if canonicalLink != "" {
		return "url:" + canonicalLink
	}
	return "hash:" + bodyHash
}

// IDFor is the article ID of an identity key: "live-" and 16 hex digits.
func IDFor(key string) briefings.ArticleID {
	sum := sha256.Sum256([]byte(key))
	return briefings.ArticleID("live-" + hex.EncodeToString(sum[:8]))
}
