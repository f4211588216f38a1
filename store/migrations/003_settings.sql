-- Settings every Covenant process shares, such as the key that signs approval and document links.
create table settings (
  name text primary key,
  value text not null,
  created_at timestamptz not null default now()
);
