//! Text enums in `text` columns: each enum that a column holds by name reads and writes itself through diesel, so
//! rows carry the enum and no store parses strings by hand.

/// Implements diesel's `ToSql<Text, Pg>` and `FromSql<Text, Pg>` for an enum with `as_str(self) -> &'static str`
/// and `parse(&str) -> Option<Self>`; the enum derives `AsExpression` and `FromSqlRow` with
/// `#[diesel(sql_type = diesel::sql_types::Text)]`. A name the enum does not know is a deserialization error, which
/// the store layer reports as a database error: the row is corrupt, not the request.
#[macro_export]
macro_rules! text_enum_sql {
    ($enum:ty) => {
        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $enum {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(self.as_str(), out)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $enum {
            fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let name = std::str::from_utf8(value.as_bytes())?;
                <$enum>::parse(name).ok_or_else(|| format!("{name:?} is not a known {}", stringify!($enum)).into())
            }
        }
    };
}
