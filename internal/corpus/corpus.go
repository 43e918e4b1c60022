// Package corpus generates synthetic Dutch-like news articles for tests and
// benchmarks at scale (100,000 articles and more). The articles are built
// from a vocabulary of a few thousand Dutch words (compounds of common nouns,
// verbs, adjectives, names, places, organisations), dated over 2010–2025
// (some by month only, a few undated), with 8–20 sentences each and
// occasional subheadings. The same n and seed always give the same corpus.
package corpus

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

// Generate returns n parsed articles: the files WriteDir would write, run
// through briefings.ParseFile, so Paragraphs, Sentences, Title and Hash are
// set exactly as loading them would set them.
func Generate(n int, seed int64) []briefings.Article {
	out := make([]briefings.Article, 0, n)
	err := generate(n, seed, func(name string, data []byte) error {
		arts, err := briefings.ParseFile(name, data)
		if err != nil {
			return fmt.Errorf("generated article %s does not parse: %w", name, err)
		}
		out = append(out, arts...)
		return nil
	})
	if err != nil {
		// the generator's own output must parse: a failure is a bug here
		panic(err)
	}
	return out
}

// WriteDir writes n generated articles into dir (which must exist) as .txt
// files in the sample format: " date 2020-10 " prefix, paragraphs separated
// by blank lines.
func WriteDir(dir string, n int, seed int64) error {
	return generate(n, seed, func(name string, data []byte) error {
		return os.WriteFile(filepath.Join(dir, name), data, 0o644)
	})
}

// File returns the name and content of article i of the corpus made with
// seed: what WriteDir writes for it. Article i does not depend on n.
func File(i int, seed int64) (name string, data []byte) {
	r := rand.New(rand.NewPCG(uint64(seed), uint64(i)))
	text := article(r)
	h := fnv.New64a()
	h.Write([]byte(text))
	return fmt.Sprintf("%06d_%016x.txt", i, h.Sum64()), []byte(text)
}

func generate(n int, seed int64, emit func(name string, data []byte) error) error {
	for i := range n {
		name, data := File(i, seed)
		if err := emit(name, data); err != nil {
			return err
		}
	}
	return nil
}

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// article renders one article in the .txt sample format.
func article(r *rand.Rand) string {
	var b strings.Builder
	switch x := r.IntN(20); {
	case x == 0: // undated
	case x < 8:
		fmt.Fprintf(&b, " date %04d-%02d ", 2010+r.IntN(16), 1+r.IntN(12))
	default:
		fmt.Fprintf(&b, " date %04d-%02d-%02d ", 2010+r.IntN(16), 1+r.IntN(12), 1+r.IntN(28))
	}
	topic := topics[r.IntN(len(topics))]
	sentences := 8 + r.IntN(13)
	headings := 0
	if r.IntN(3) == 0 {
		headings = 1 + r.IntN(2)
	}
	written := 0
	first := true
	for written < sentences {
		if !first {
			b.WriteString("\n\n")
			if headings > 0 && written > 2 && r.IntN(3) == 0 {
				b.WriteString(heading(r, topic))
				b.WriteString("\n\n")
				headings--
			}
		}
		first = false
		per := min(1+r.IntN(4), sentences-written)
		for k := range per {
			if k > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(sentence(r, topic))
			written++
		}
	}
	return b.String()
}

func heading(r *rand.Rand, topic []string) string {
	w := pick(r, topic)
	switch r.IntN(3) {
	case 0:
		return capitalise(w)
	case 1:
		return capitalise(pick(r, adjectives)) + " " + w
	default:
		return capitalise(w) + " in " + pick(r, places)
	}
}

// noun returns a noun, often a compound of a topic word and a common noun,
// with its article.
func noun(r *rand.Rand, topic []string) string {
	base := nouns[r.IntN(len(nouns))]
	if r.IntN(2) == 0 {
		prefix := pick(r, topic)
		if r.IntN(3) == 0 {
			prefix = pick(r, prefixes)
		}
		return base.art + " " + prefix + base.word
	}
	if r.IntN(3) == 0 {
		return "de " + pick(r, adjectives) + "e " + base.word
	}
	return base.art + " " + base.word
}

func person(r *rand.Rand) string {
	switch r.IntN(6) {
	case 0:
		return pick(r, roles) + " " + pick(r, firstNames) + " " + pick(r, lastNames)
	case 1:
		return string(pick(r, firstNames)[0]) + ". " + pick(r, lastNames)
	default:
		return pick(r, firstNames) + " " + pick(r, lastNames)
	}
}

func subject(r *rand.Rand, topic []string) string {
	switch r.IntN(4) {
	case 0:
		return person(r)
	case 1:
		return pick(r, orgs)
	default:
		return noun(r, topic)
	}
}

func sentence(r *rand.Rand, topic []string) string {
	var s string
	switch r.IntN(10) {
	case 0:
		s = fmt.Sprintf("Volgens %s %s %s %s %s.", person(r), pick(r, verbs3), noun(r, topic), pick(r, preps), pick(r, places))
	case 1:
		return fmt.Sprintf("'%s %s %s %s', %s %s.", capitalise(noun(r, topic)), pick(r, verbs3), pick(r, adverbs), noun(r, topic), pick(r, saying), person(r))
	case 2:
		s = fmt.Sprintf("%s heeft %s %s %s %s %s.", subject(r, topic), pick(r, times), noun(r, topic), pick(r, preps), pick(r, places), pick(r, participles))
	case 3:
		s = fmt.Sprintf("Het gaat om %d,%d procent van %s in %s.", 1+r.IntN(60), r.IntN(10), noun(r, topic), pick(r, places))
	case 4:
		s = fmt.Sprintf("Dat %s %s van %s %s.", pick(r, saying), person(r), pick(r, orgs), pick(r, times))
	case 5:
		s = fmt.Sprintf("%s %s o.a. %s en %s.", subject(r, topic), pick(r, verbs3), noun(r, topic), noun(r, topic))
	case 6:
		s = fmt.Sprintf("In %d %s %s %s %s %s.", 2005+r.IntN(20), pick(r, verbs3), subject(r, topic), pick(r, adverbs), noun(r, topic), pick(r, times))
	default:
		s = fmt.Sprintf("%s %s %s %s %s %s %s.", subject(r, topic), pick(r, verbs3), pick(r, times), noun(r, topic), pick(r, preps), noun(r, topic), pick(r, adverbs))
	}
	return capitalise(s)
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

type deNoun struct{ art, word string }

// The vocabulary. Compounds (prefix or topic word + noun) multiply it to a
// few thousand distinct words.
var (
	topics = [][]string{
		{"verkiezing", "stem", "kiezer", "campagne", "partij", "peiling", "kandidaat"},
		{"cyber", "hack", "data", "netwerk", "software", "wachtwoord", "server"},
		{"desinformatie", "propaganda", "nepnieuws", "trol", "bot", "beïnvloeding"},
		{"spionage", "inlichtingen", "geheim", "veiligheid", "dienst", "agent"},
		{"klimaat", "energie", "gas", "stroom", "wind", "zonne", "water"},
		{"zorg", "ziekenhuis", "patiënt", "vaccin", "arts", "medicijn"},
		{"woning", "huur", "hypotheek", "bouw", "grond", "gemeente"},
		{"onderwijs", "school", "leraar", "student", "examen", "universiteit"},
		{"economie", "bank", "beurs", "rente", "inflatie", "belasting", "begroting"},
		{"defensie", "leger", "navo", "grens", "oorlog", "vrede", "wapen"},
	}
	prefixes = []string{"staats", "overheids", "volks", "wereld", "stads", "rijks", "burger", "werk",
		"verkeers", "politie", "justitie", "handels", "landbouw", "media", "nieuws", "jeugd", "pers",
		"regerings", "kamer", "europa", "gemeente", "provincie", "markt", "prijs", "loon", "risico"}
	nouns = []deNoun{
		{"de", "minister"}, {"het", "kabinet"}, {"de", "regering"}, {"het", "onderzoek"}, {"de", "wet"},
		{"het", "rapport"}, {"de", "commissie"}, {"het", "plan"}, {"de", "maatregel"}, {"het", "besluit"},
		{"de", "zaak"}, {"het", "debat"}, {"de", "crisis"}, {"het", "beleid"}, {"de", "organisatie"},
		{"het", "systeem"}, {"de", "dienst"}, {"het", "bedrijf"}, {"de", "aanval"}, {"het", "probleem"},
		{"de", "kwestie"}, {"het", "akkoord"}, {"de", "aanpak"}, {"het", "verbod"}, {"de", "regel"},
		{"het", "advies"}, {"de", "toezichthouder"}, {"het", "lek"}, {"de", "verdachte"}, {"het", "proces"},
		{"de", "rechter"}, {"het", "vonnis"}, {"de", "burgemeester"}, {"het", "college"}, {"de", "raad"},
		{"het", "voorstel"}, {"de", "begroting"}, {"het", "tekort"}, {"de", "stijging"}, {"het", "cijfer"},
		{"de", "woordvoerder"}, {"het", "ministerie"}, {"de", "demonstratie"}, {"het", "protest"},
		{"de", "staking"}, {"het", "contract"}, {"de", "leverancier"}, {"het", "netwerk"}, {"de", "storing"},
		{"het", "incident"}, {"de", "dreiging"}, {"het", "risico"}, {"de", "analyse"}, {"het", "signaal"},
		{"de", "campagne"}, {"het", "bericht"}, {"de", "uitspraak"}, {"het", "gesprek"}, {"de", "top"},
	}
	verbs3 = []string{"meldt", "onderzoekt", "bevestigt", "ontkent", "waarschuwt voor", "bespreekt",
		"steunt", "verwerpt", "presenteert", "publiceert", "verwacht", "vreest", "eist", "belooft",
		"kondigt aan", "bekritiseert", "verdedigt", "noemt", "wijst op", "beschermt", "onthult",
		"controleert", "verhoogt", "verlaagt", "stopt", "start", "blokkeert", "versterkt", "verliest", "wint"}
	participles = []string{"gemeld", "onderzocht", "bevestigd", "ontkend", "besproken", "gesteund",
		"verworpen", "gepresenteerd", "gepubliceerd", "verwacht", "geëist", "beloofd", "aangekondigd",
		"bekritiseerd", "verdedigd", "onthuld", "gecontroleerd", "verhoogd", "verlaagd", "gestopt",
		"geblokkeerd", "versterkt", "verloren", "gewonnen"}
	adjectives = []string{"nieuw", "groot", "klein", "belangrijk", "nationaal", "europees", "digitaal",
		"politiek", "economisch", "geheim", "openbaar", "snel", "lang", "kort", "hoog", "laag", "sterk",
		"zwak", "vorig", "volgend", "buitenlands", "binnenlands", "strategisch", "kritiek", "regionaal"}
	adverbs = []string{"opnieuw", "ook", "nog steeds", "vooral", "eindelijk", "al", "voorlopig", "zeker",
		"waarschijnlijk", "niet", "wel", "nauwelijks", "uitdrukkelijk", "vrijwel zeker", "binnenkort"}
	times = []string{"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
		"vorige week", "deze week", "gisteren", "vandaag", "eerder dit jaar", "vorig jaar", "in maart",
		"in oktober", "na de zomer"}
	preps  = []string{"in", "uit", "tegen", "voor", "rond", "over", "bij", "vanuit", "naar"}
	saying = []string{"zegt", "meldt", "schrijft", "stelt", "benadrukt", "aldus", "verklaart"}
	places = []string{"Den Haag", "Amsterdam", "Rotterdam", "Utrecht", "Brussel", "Berlijn", "Parijs",
		"Washington", "Moskou", "Peking", "Londen", "Kiev", "Groningen", "Eindhoven", "Maastricht",
		"Europa", "Nederland", "Duitsland", "Frankrijk", "België", "Rusland", "China", "Oekraïne"}
	orgs = []string{"de AIVD", "de MIVD", "de NCTV", "de Kiesraad", "de Tweede Kamer", "de Eerste Kamer",
		"de Europese Commissie", "de NAVO", "het OM", "de politie", "De Nederlandsche Bank",
		"het CBS", "de Raad van State", "het RIVM", "de VN", "het CDA", "de VVD", "D66", "de PvdA",
		"GroenLinks", "de SP", "de PVV", "het NCSC", "de ACM", "de Autoriteit Persoonsgegevens"}
	roles = []string{"minister", "staatssecretaris", "Kamerlid", "burgemeester", "woordvoerder",
		"directeur", "onderzoeker", "hoogleraar", "president", "premier"}
	firstNames = []string{"Jan", "Piet", "Kees", "Anne", "Sanne", "Mark", "Sophie", "Emma", "Lucas",
		"Daan", "Lisa", "Eva", "Thomas", "Ruben", "Fleur", "Sara", "Bram", "Noor", "Joost", "Hanneke",
		"Willem", "Marieke", "Ahmed", "Fatima", "Mohammed", "Yara", "Bert", "Ronald", "Hugo", "Ingrid"}
	lastNames = []string{"de Vries", "Jansen", "de Jong", "Bakker", "Visser", "Smit", "Meijer",
		"de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
		"Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van den Berg", "Kok",
		"Verhoeven", "Koenders", "Plasterk", "El Amrani", "Yilmaz", "Bouzid"}
)
