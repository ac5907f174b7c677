//! Files shared in chats, stored in the database with their session.

use super::{Context, Store, StoreError};
use tandem_shared::files::SharedFile;
use tandem_shared::ConversationId;

/// A stored file, to serve.
#[derive(Debug)]
pub struct StoredFile {
    /// The random part of its link.
    pub key: String,
    /// Its (cleaned) name.
    pub name: String,
    /// Its type, recognised from its content.
    pub content_type: String,
    /// Its content.
    pub data: Vec<u8>,
}

impl Store {
    /// Stores a file of `conversation` (already checked: type, size, name) and returns how
    /// messages refer to it.
    pub async fn save_file(
        &self,
        conversation: &ConversationId,
        name: &str,
        content_type: &str,
        data: &[u8],
        now_ms: i64,
    ) -> Result<SharedFile, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        let key = crate::auth::secret::random_token();
        let bytes = u64::try_from(data.len()).unwrap_or(u64::MAX);
        sqlx::query(
            "INSERT INTO files (id, conversation_id, key, name, content_type, bytes, data, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(conversation.as_str())
        .bind(&key)
        .bind(name)
        .bind(content_type)
        .bind(i64::try_from(bytes).unwrap_or(i64::MAX))
        .bind(data)
        .bind(now_ms)
        .execute(&self.pool)
        .await
        .context("storing a shared file")?;
        Ok(SharedFile {
            path: format!("/files/{id}/{key}"),
            id,
            name: name.to_owned(),
            content_type: content_type.to_owned(),
            bytes,
        })
    }

    /// A stored file by id.
    pub async fn file(&self, id: &str) -> Result<Option<StoredFile>, StoreError> {
        let row: Option<(String, String, String, Vec<u8>)> =
            sqlx::query_as("SELECT key, name, content_type, data FROM files WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .context("reading a shared file")?;
        Ok(row.map(|(key, name, content_type, data)| StoredFile {
            key,
            name,
            content_type,
            data,
        }))
    }
}
