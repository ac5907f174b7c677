//! The visitor as a CRM person: name split in first and last name, email, phone, company.

use crate::store::ContactRef;

/// A contact as CRMs store people.
#[derive(Debug, Clone)]
pub struct Person {
    /// First name (may be empty).
    pub first_name: String,
    /// Last name (the whole name when it has one word).
    pub last_name: String,
    /// Email, when given.
    pub email: Option<String>,
    /// Phone, when given.
    pub phone: Option<String>,
    /// Company, when given.
    pub company: Option<String>,
}

impl Person {
    /// The person of a Tandem contact: "Jeanne Marie Dupont" → "Jeanne" + "Marie Dupont".
    pub fn from_contact(contact: &ContactRef) -> Person {
        let name = contact.name.trim();
        let (first_name, last_name) = match name.split_once(char::is_whitespace) {
            Some((first, rest)) => (first.to_owned(), rest.trim().to_owned()),
            None => (String::new(), name.to_owned()),
        };
        let given = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        Person {
            first_name,
            last_name,
            email: given(&contact.email),
            phone: given(&contact.phone),
            company: given(&contact.company),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(name: &str) -> ContactRef {
        ContactRef {
            id: "c1".into(),
            name: name.into(),
            email: Some(" jeanne@example.com ".into()),
            phone: Some(String::new()),
            company: None,
            verified_user_id: None,
        }
    }

    #[test]
    fn names_split_at_the_first_space_and_blank_fields_are_absent() {
        let person = Person::from_contact(&contact("Jeanne Marie Dupont"));
        assert_eq!(person.first_name, "Jeanne");
        assert_eq!(person.last_name, "Marie Dupont");
        assert_eq!(person.email.as_deref(), Some("jeanne@example.com"));
        assert_eq!(person.phone, None);
        let single = Person::from_contact(&contact("Cher"));
        assert_eq!(
            (single.first_name.as_str(), single.last_name.as_str()),
            ("", "Cher")
        );
    }
}
