-- What is not a contract: API tokens (hashes only), documents (content-addressed), caught mail and
-- the record of mail the relay acknowledged.

create table api_tokens (
  id text primary key,
  name text not null,
  role text not null,
  email text,
  unit text,
  hash text not null unique,
  created_at timestamptz not null,
  revoked_at timestamptz
);
-- A name is unique among the tokens in use; a revoked one's name may be given again.
create unique index api_tokens_name_in_use on api_tokens (name) where revoked_at is null;

-- Each distinct content once, by its SHA-256; documents name it by key.
create table blobs (
  sha256 text primary key,
  content bytea not null,
  created_at timestamptz not null default now()
);
create table documents (
  key text primary key,
  sha256 text not null references blobs (sha256),
  content_type text not null,
  stored_at timestamptz not null default now()
);

-- Every arrival at the built-in mail catcher, duplicates included.
create table caught_mail (
  id bigserial primary key,
  message_id text not null,
  from_address text not null,
  to_addresses text[] not null,
  subject text not null,
  text_body text not null,
  html_body text not null,
  received_at timestamptz not null default now()
);
create index caught_mail_message_id on caught_mail (message_id);

-- Message-IDs the relay acknowledged: a retried send finds its message here and does not send again.
create table mail_sent (
  message_id text primary key,
  sent_at timestamptz not null default now()
);
