//! Sentence templates for the synthetic ads, Swedish and English, in the sections real ads have. `{s}` is a skill,
//! `{e}` the employer, `{c}` the town, `{r}` the region, `{t}` the title. Many sentences hold the ordinary words that
//! naive label spotting takes for skills (är, man, chef, län, bas, design, mission, kollektivavtal, CT), as real
//! ads do.

/// One language's sections: intro, duties, qualifications, merits, conditions, application; and section headings.
pub struct Language {
    pub intro: &'static [&'static str],
    pub duties: &'static [&'static str],
    pub qualifications: &'static [&'static str],
    pub merits: &'static [&'static str],
    pub conditions: &'static [&'static str],
    pub application: &'static [&'static str],
    /// Filler: longer ads have more of it.
    pub filler: &'static [&'static str],
    pub headings: [&'static str; 5],
}

pub const SWEDISH: Language = Language {
    intro: &[
        "{e} är ett växande företag med bas i {c} och kunder i hela {r}.",
        "Vi är en arbetsplats där man trivs, utvecklas och tar ansvar för helheten.",
        "Hos {e} arbetar drygt 200 medarbetare med att utveckla framtidens behandlingar.",
        "Nu söker vi en {t} som vill vara med på vår resa och bidra med sin erfarenhet.",
        "Vår mission är att göra avancerade behandlingar tillgängliga för fler patienter.",
        "Verksamheten är placerad i {c} och har nära samarbete med universitet och sjukhus i länet.",
        "Som en del av vårt team får du en central roll i ett bolag som är på stark frammarsch.",
        "Vi har en platt organisation där din chef finns nära och beslutsvägarna är korta.",
    ],
    duties: &[
        "Du kommer att arbeta med {s} och {s} i nära samarbete med kollegor inom produktion.",
        "I rollen ingår att ansvara för {s} samt att stötta teamet i frågor som rör {s}.",
        "Arbetet består till stor del av {s}, men även av dokumentation och uppföljning.",
        "Du planerar, genomför och utvärderar arbetet med {s} enligt gällande rutiner.",
        "Tillsammans med din chef tar du fram arbetssätt för {s} och {s}.",
        "Du deltar i design av nya processer och ser till att man följer kvalitetssystemet.",
        "Du rapporterar till avdelningens chef och samarbetar med kollegor i hela länet.",
        "I tjänsten ingår även {s}, utbildning av nya medarbetare och visst projektarbete.",
    ],
    qualifications: &[
        "Vi söker dig som har erfarenhet av {s} och god kunskap om {s}.",
        "Du har en relevant utbildning, gärna med inriktning mot {s}.",
        "Det är ett krav att du behärskar {s} samt svenska och engelska i tal och skrift.",
        "Du har minst tre års erfarenhet av {s} från en liknande roll.",
        "Kunskap om {s} är viktig eftersom arbetet är nära kopplat till {s}.",
        "B-körkort är ett krav då resor i tjänsten förekommer.",
        "Som person är du strukturerad, noggrann och har lätt för att samarbeta.",
    ],
    merits: &[
        "Det är meriterande om du har arbetat med {s}.",
        "Erfarenhet av {s} eller {s} ser vi som ett plus.",
        "Har du tidigare arbetat med CT, MR eller annan bilddiagnostik är det meriterande.",
        "Kännedom om {s} är meriterande men inget krav.",
    ],
    conditions: &[
        "Tjänsten är en tillsvidareanställning på heltid med sex månaders provanställning.",
        "Vi erbjuder kollektivavtal, friskvårdsbidrag och goda möjligheter till kompetensutveckling.",
        "Lön enligt överenskommelse. Tillträde enligt överenskommelse.",
        "Arbetstiden är förlagd dagtid måndag till fredag, med möjlighet till distansarbete en dag i veckan.",
        "Placeringsort är {c} i {r}.",
    ],
    application: &[
        "Sista ansökningsdag framgår av annonsen. Vi tillämpar löpande urval, så skicka gärna din ansökan redan idag.",
        "Vi undanber oss vänligen men bestämt kontakt med annonsförsäljare och rekryteringsföretag.",
        "Har du frågor om tjänsten är du välkommen att kontakta rekryterande chef.",
        "Ansökan sker via vår webbplats. Bifoga CV och personligt brev.",
    ],
    filler: &[
        "Vi tror på en god balans mellan arbete och fritid, och på att man utvecklas bäst tillsammans med andra.",
        "Hos oss är det högt i tak och vi är måna om att alla ska känna sig välkomna.",
        "Företaget har vuxit snabbt de senaste åren och är idag en av de ledande aktörerna i regionen.",
        "Våra lokaler ligger centralt med goda kommunikationer, nära både pendeltåg och buss.",
        "Vi arbetar aktivt med mångfald och jämställdhet och välkomnar sökande med olika bakgrund.",
        "Du får en gedigen introduktion och en fadder som stöttar dig under de första månaderna.",
        "Vår vision är att vara den självklara partnern för kunder som ställer höga krav på kvalitet.",
        "Inom koncernen finns goda möjligheter att växa, både i din nuvarande roll och i nya uppdrag.",
    ],
    headings: ["Om oss", "Arbetsuppgifter", "Kvalifikationer", "Meriterande", "Vi erbjuder"],
};

pub const ENGLISH: Language = Language {
    intro: &[
        "{e} is a company on a mission: to bring advanced therapies to patients faster.",
        "Based in {c}, we are a growing team of scientists, engineers and specialists.",
        "We are now looking for a {t} who wants to make a difference from day one.",
        "Our site in {c} combines research, development and manufacturing under one roof.",
        "At {e} you will join a friendly, international team where people grow together.",
        "We are part of a global group and work closely with partners across {r}.",
    ],
    duties: &[
        "You will be responsible for {s} and work closely with colleagues in {s}.",
        "Your main tasks include {s}, documentation and continuous improvement.",
        "You will plan and carry out work in {s} according to our quality system.",
        "Together with your manager you will develop our ways of working in {s} and {s}.",
        "You take part in the design of new processes and make sure they are followed.",
        "The role includes {s}, training new colleagues and some project work.",
        "You will report to the head of department and support the team with {s}.",
    ],
    qualifications: &[
        "You have a relevant degree and experience of {s} and {s}.",
        "We are looking for someone with at least three years of experience in {s}.",
        "Good knowledge of {s} is required, as is fluency in English.",
        "You are familiar with {s} and have worked in a regulated environment.",
        "As a person you are structured, curious and a good team player.",
        "A driving licence is required as the role includes some travel.",
    ],
    merits: &[
        "Experience of {s} is a plus.",
        "It is an advantage if you have worked with {s} or {s}.",
        "Knowledge of CT or MR imaging, or of Swedish, is meritorious.",
        "Familiarity with {s} will be considered an asset.",
    ],
    conditions: &[
        "This is a permanent, full-time position with a six-month probationary period.",
        "We offer a collective agreement, a wellness allowance and good opportunities for development.",
        "Salary by agreement. Start as soon as possible.",
        "The position is based in {c}, {r}, with the possibility of working from home one day a week.",
    ],
    application: &[
        "We review applications continuously, so do not wait to apply.",
        "Please apply through our website with your CV and a short cover letter.",
        "For questions about the position, please contact the hiring manager.",
    ],
    filler: &[
        "We believe in a healthy balance between work and life, and in learning from each other.",
        "Our offices are centrally located, close to public transport and the city centre.",
        "We value diversity and welcome applicants of every background.",
        "You will get a thorough introduction and a buddy who supports you during the first months.",
        "The company has grown quickly in recent years and is now one of the leading players in the region.",
        "Our vision is to be the obvious partner for customers with high demands on quality.",
    ],
    headings: ["About us", "What you will do", "Who you are", "Nice to have", "What we offer"],
};

/// English job titles (Swedish ads take JobTech occupation names).
pub const ENGLISH_TITLES: &[&str] = &[
    "Process Engineer",
    "QA Specialist",
    "Regulatory Affairs Manager",
    "Clinical Research Associate",
    "Data Engineer",
    "Software Developer",
    "Production Technician",
    "Quality Control Analyst",
    "Project Manager",
    "Research Scientist",
    "Biostatistician",
    "Supply Chain Coordinator",
    "Automation Engineer",
    "Product Owner",
    "Validation Engineer",
];

/// Qualifiers an English title gets after a comma.
pub const ENGLISH_TEAMS: &[&str] =
    &["Cell Therapy", "Gene Therapy", "Manufacturing", "R&D", "Analytics", "Clinical Operations", "Digital"];

/// Employer name parts: a few thousand distinct names from their combinations.
pub const EMPLOYER_FIRST: &[&str] = &[
    "Nordic",
    "Västra",
    "Göta",
    "Kattegatt",
    "Bohus",
    "Sjöstads",
    "Älvstrands",
    "Lindholmen",
    "Mölndals",
    "Borås",
    "Skaraborgs",
    "Halland",
    "Svea",
    "Polar",
    "Aurora",
    "Ekdahl",
    "Berg",
    "Lund",
    "Karlsson",
    "Hav",
    "Fjäll",
    "Granit",
    "Kronan",
    "Vega",
    "Orion",
    "Lyra",
    "Vinga",
    "Marstrand",
    "Dalsland",
    "Trollhätte",
];
pub const EMPLOYER_SECOND: &[&str] = &[
    "Bio",
    "Cell",
    "Gen",
    "Pharma",
    "Vård",
    "Tech",
    "Data",
    "Logistik",
    "Bygg",
    "Energi",
    "Diagnostik",
    "Labb",
    "Medical",
    "Analys",
    "Konsult",
    "Produktion",
    "Omsorg",
    "Teknik",
    "Innovation",
    "Life Science",
];
pub const EMPLOYER_FORM: &[&str] =
    &["AB", "Sverige AB", "Group AB", "HB", "Scandinavia AB", "Holding AB", "& Partners AB", "ekonomisk förening"];
