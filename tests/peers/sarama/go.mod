// The versions of sarama (whose functional tests tests/peers/sarama_suite_test.ts runs against
// Brook's broker) and of toxiproxy (the proxy those tests put between themselves and the brokers).
module brook.dev/peers/sarama

go 1.26.0

require (
	github.com/IBM/sarama v1.61.1
	github.com/Shopify/toxiproxy/v2 v2.5.0
)
