-- People who sign in (the web application), their one-time sign-in links and their sessions.
-- API tokens stay for machines (api_tokens). Links and sessions are kept as SHA-256 hashes only.
create table users (
  email text primary key,          -- lower case
  name text not null,
  role text not null,
  unit text,                       -- a unit's name, as in contracts' unit.name
  created_at timestamptz not null default now(),
  created_by text,
  disabled_at timestamptz
);

create table sign_in_links (
  hash text primary key,
  email text not null references users (email) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index sign_in_links_email on sign_in_links (email);

create table sessions (
  hash text primary key,
  email text not null references users (email) on delete cascade,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  -- Absolute end, whatever the activity; the idle limit is checked against last_seen_at.
  expires_at timestamptz not null,
  revoked_at timestamptz
);
create index sessions_email on sessions (email);
