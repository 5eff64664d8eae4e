-- Roles and one database per service. Idempotent: the local stack runs it at
-- every start, and the docker-compose Postgres runs it once at init.
-- The app role owns the service databases; the capture role may only log in,
-- replicate, and read the outbox tables it is granted (see libs/outbox).

SELECT 'CREATE ROLE eventline LOGIN CREATEDB PASSWORD ''eventline'''
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'eventline') \gexec

SELECT 'CREATE ROLE debezium LOGIN REPLICATION PASSWORD ''debezium'''
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'debezium') \gexec

SELECT format('CREATE DATABASE %I OWNER eventline', name)
FROM unnest(ARRAY['orders', 'order_saga', 'inventory', 'payments', 'notifications', 'registry']) AS name
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = name) \gexec
