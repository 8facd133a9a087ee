// rdkafka_mock.h requires rdkafka.h to be included first.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
