-- Demo data: five products with 1000 units each, so that the reference order
-- system can take orders as soon as it runs. Not meant for a real catalogue;
-- tests add stock rows of their own.
INSERT INTO stock (sku, available)
VALUES ('SKU-1', 1000), ('SKU-2', 1000), ('SKU-3', 1000), ('SKU-4', 1000), ('SKU-5', 1000)
ON CONFLICT (sku) DO NOTHING;
