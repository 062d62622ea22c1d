//! How often each taxonomy skill appears in synthetic profiles: a Zipf-like skew over a deterministic ranking in
//! which the life-science skills and everyday digital, research and transversal ESCO skills come first.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A skill as the generator needs it: its id and the name profiles show for it.
#[derive(Clone, Debug)]
pub struct TaxonomySkill {
    pub id: String,
    pub source: String,
    pub label: String,
}

/// ESCO skills most seekers in the region would list, besides the life-science ones.
const EVERYDAY_ESCO: &[&str] = &[
    "work in teams",
    "think critically",
    "solve problems",
    "think analytically",
    "manage time",
    "work independently",
    "adapt to change",
    "manage quality",
    "attend to detail",
    "lead others",
    "comply with regulations",
    "report facts",
    "make decisions",
    "use communication and collaboration software",
    "use spreadsheets software",
    "use word processing software",
    "use presentation software",
    "perform data analysis",
    "apply statistical analysis techniques",
    "manage research data",
    "use databases",
    "Python (computer programming)",
    "SQL",
    "MATLAB",
    "machine learning",
    "data mining",
    "computer programming",
    "scientific computing",
    "manage quantitative data",
    "perform scientific research",
    "write scientific publications",
    "draft scientific or academic papers and technical documentation",
    "disseminate results to the scientific community",
    "interact professionally in research and professional environments",
    "apply research ethics and scientific integrity principles in research activities",
    "perform project management",
    "apply for research funding",
    "synthesise information",
    "conduct research across disciplines",
    "communicate with a non-scientific audience",
    "mentor individuals",
    "speak different languages",
    "record data from biomedical tests",
    "medical imaging technology",
    "design pharmaceutical manufacturing systems",
    "computer simulation",
    "algorithms",
    "data visualisation software",
    "quantitative analysis",
    "protect personal data and privacy",
];

/// Zipf–Mandelbrot: weight 1 / (rank + OFFSET)^EXPONENT. The offset flattens the head, so that the most common
/// skill is on about one profile in eight rather than on most of them.
const EXPONENT: f64 = 1.0;
const OFFSET: f64 = 8.0;

/// The ranked skills and the cumulative distribution over their ranks.
pub struct SkillPicker {
    ranked: Vec<TaxonomySkill>,
    cumulative: Vec<f64>,
}

impl SkillPicker {
    /// Ranks `skills` (any order) deterministically for `rng`'s seed.
    pub fn new(mut skills: Vec<TaxonomySkill>, rng: &mut ChaCha8Rng) -> Self {
        // A stable starting order, whatever order the database returned.
        skills.sort_by(|a, b| a.id.cmp(&b.id));
        let (mut head, mut rest): (Vec<_>, Vec<_>) = skills.into_iter().partition(is_everyday);
        head.shuffle(rng);
        rest.shuffle(rng);
        let ranked: Vec<TaxonomySkill> = head.into_iter().chain(rest).collect();
        let mut total = 0.0;
        let cumulative = (0..ranked.len())
            .map(|rank| {
                total += 1.0 / (rank as f64 + OFFSET).powf(EXPONENT);
                total
            })
            .collect();
        Self { ranked, cumulative }
    }

    pub fn skill(&self, rank: usize) -> &TaxonomySkill {
        &self.ranked[rank]
    }

    /// One rank, drawn with the skewed distribution.
    fn pick(&self, rng: &mut ChaCha8Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.gen::<f64>() * total;
        self.cumulative.partition_point(|&c| c < x).min(self.ranked.len().saturating_sub(1))
    }

    /// `count` different ranks (fewer if the taxonomy is smaller), most popular first as a seeker would list them.
    pub fn pick_distinct(&self, rng: &mut ChaCha8Rng, count: usize) -> Vec<usize> {
        let count = count.min(self.ranked.len());
        let mut picked: Vec<usize> = Vec::with_capacity(count);
        while picked.len() < count {
            let rank = self.pick(rng);
            if !picked.contains(&rank) {
                picked.push(rank);
            }
        }
        picked.sort_unstable();
        picked
    }
}

fn is_everyday(skill: &TaxonomySkill) -> bool {
    skill.source == "life_science" || (skill.source == "esco" && EVERYDAY_ESCO.contains(&skill.label.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn taxonomy() -> Vec<TaxonomySkill> {
        let mut skills: Vec<TaxonomySkill> = (0..2000)
            .map(|i| TaxonomySkill { id: format!("esco-{i:04}"), source: "esco".into(), label: format!("skill {i}") })
            .collect();
        skills.push(TaxonomySkill { id: "ls-gmp".into(), source: "life_science".into(), label: "GMP".into() });
        skills.push(TaxonomySkill { id: "esco-team".into(), source: "esco".into(), label: "work in teams".into() });
        skills
    }

    #[test]
    fn life_science_and_everyday_skills_rank_first_and_are_drawn_most() {
        let picker = SkillPicker::new(taxonomy(), &mut ChaCha8Rng::seed_from_u64(7));
        let head: Vec<&str> = (0..2).map(|r| picker.skill(r).id.as_str()).collect();
        assert!(head.contains(&"ls-gmp") && head.contains(&"esco-team"), "{head:?}");
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut counts = vec![0u32; picker.ranked.len()];
        for _ in 0..20_000 {
            counts[picker.pick(&mut rng)] += 1;
        }
        assert!(counts[0] > 10 * counts[1000].max(1), "head {} tail {}", counts[0], counts[1000]);
    }

    #[test]
    fn the_ranking_and_the_draws_depend_only_on_the_seed() {
        let mut shuffled = taxonomy();
        shuffled.reverse();
        let a = SkillPicker::new(taxonomy(), &mut ChaCha8Rng::seed_from_u64(3));
        let b = SkillPicker::new(shuffled, &mut ChaCha8Rng::seed_from_u64(3));
        assert!((0..a.ranked.len()).all(|r| a.skill(r).id == b.skill(r).id));
        let draw = |p: &SkillPicker| p.pick_distinct(&mut ChaCha8Rng::seed_from_u64(9), 12);
        assert_eq!(draw(&a), draw(&b));
        assert_eq!(draw(&a).len(), 12);
    }
}
