-- The read model: what the workflows hold, projected for reading in bulk (lists, pages, the audit,
-- simulations, portfolio views). Temporal stays the source of truth; this is rebuilt from it by
-- `covenant projections rebuild`. Each write carries the state version it projects, and a write
-- of an older version changes nothing.

create table contracts (
  id text primary key,
  version bigint not null,
  title text not null,
  stage text not null,
  year int not null,
  unit_name text not null,
  unit_signatory text not null,
  principal_name text not null,
  managers text[] not null,
  rule_set_id text not null,
  rule_set_version int not null,
  period_start date not null,
  period_end date not null,
  current_period text,
  score double precision,
  grade text,
  next_due timestamptz,
  late boolean not null,
  created_at timestamptz not null,
  projected_at timestamptz not null default now(),
  -- The whole state as the workflow held it at this version (pages, approval pages, the audit), as
  -- the workflow wrote it (json keeps its text; jsonb would reorder its keys).
  state json not null,
  -- What a what-if simulation needs of it: its periods' terms, agreed actuals and outcomes.
  simulation jsonb not null
);
create index contracts_stage on contracts (stage, id);
create index contracts_unit on contracts (unit_name, id);
create index contracts_unit_signatory on contracts (unit_signatory);
create index contracts_managers on contracts using gin (managers);
create index contracts_grade on contracts (grade, id);
create index contracts_late on contracts (late, id) where late;

-- One row per reporting period of the current year.
create table contract_periods (
  contract_id text not null references contracts (id) on delete cascade,
  year int not null,
  period text not null,
  starts date not null,
  ends date not null,
  due date not null,
  late boolean not null,
  reported_at timestamptz,
  reviewed_at timestamptz,
  review_version int,
  score double precision,
  grade text,
  primary key (contract_id, year, period)
);

-- The contract's record, line by line, for paging the audit.
create table contract_log (
  contract_id text not null references contracts (id) on delete cascade,
  seq int not null,
  at timestamptz not null,
  year int not null,
  event text not null,
  by_whom text,
  detail text,
  primary key (contract_id, seq)
);
