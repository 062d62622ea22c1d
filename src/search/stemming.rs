//! A stemming token filter that remembers the stems it has computed. Snowball stemming is most of the cost of
//! indexing, and a corpus repeats a small vocabulary many times over, so the cache turns most of it into a lookup.

use std::collections::HashMap;

use tantivy::tokenizer::{Language, RawTokenizer, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};

/// Words remembered per analyzer before the cache starts over (each indexing thread has its own analyzer).
const CAPACITY: usize = 200_000;

#[derive(Clone)]
pub struct CachedStemmer {
    language: Language,
}

impl CachedStemmer {
    pub fn new(language: Language) -> Self {
        Self { language }
    }
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        let stemmer = TextAnalyzer::builder(RawTokenizer::default()).filter(Stemmer::new(self.language)).build();
        CachedStemmerFilter { inner: tokenizer, stemmer, cache: HashMap::new() }
    }
}

#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    /// Stems one word: the whole input is one token.
    stemmer: TextAnalyzer,
    cache: HashMap<String, String>,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        let Self { inner, stemmer, cache } = self;
        CachedStemmerStream { tail: inner.token_stream(text), stemmer, cache }
    }
}

pub struct CachedStemmerStream<'a, T> {
    tail: T,
    stemmer: &'a mut TextAnalyzer,
    cache: &'a mut HashMap<String, String>,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.cache.get(&token.text) {
            token.text.clear();
            token.text.push_str(stem);
            return true;
        }
        let stem = {
            let mut stream = self.stemmer.token_stream(&token.text);
            if stream.advance() {
                stream.token().text.clone()
            } else {
                token.text.clone()
            }
        };
        if self.cache.len() >= CAPACITY {
            self.cache.clear();
        }
        let word = std::mem::replace(&mut token.text, stem.clone());
        self.cache.insert(word, stem);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{LowerCaser, SimpleTokenizer};

    use super::*;

    fn stems(language: Language, text: &str, cached: bool) -> Vec<String> {
        let mut analyzer = if cached {
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(CachedStemmer::new(language))
                .build()
        } else {
            TextAnalyzer::builder(SimpleTokenizer::default()).filter(LowerCaser).filter(Stemmer::new(language)).build()
        };
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    #[test]
    fn cached_stems_are_the_stemmers_stems() {
        let text = "Proteinerna analyserades; proteinerna analyseras. Cells cultivated, cells cultivating";
        for language in [Language::English, Language::Swedish] {
            assert_eq!(stems(language, text, true), stems(language, text, false));
        }
        assert_eq!(stems(Language::Swedish, "proteinerna proteinerna", true), vec!["protein", "protein"]);
    }
}
