// rdkafka_mock.h requires rdkafka.h to be included first.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

// rd_kafka_mock_broker_push_request_error_rtts is variadic, which Swift cannot call: one (error, RTT) pair.
static inline rd_kafka_resp_err_t tickstream_mock_push_request_error_rtt(
    rd_kafka_mock_cluster_t *mcluster, int32_t broker_id, int16_t api_key, rd_kafka_resp_err_t err, int rtt_ms) {
    return rd_kafka_mock_broker_push_request_error_rtts(mcluster, broker_id, api_key, 1, err, rtt_ms);
}

#if defined(__linux__)
#include <pthread.h>
// glibc declares it only under _GNU_SOURCE, which Swift's Glibc module is built without.
extern int pthread_setname_np(pthread_t thread, const char *name);

/// Names the calling thread (at most 15 bytes), so that `top -H` and profilers tell the poll threads apart.
static inline void tickstream_name_current_thread(const char *name) {
    pthread_setname_np(pthread_self(), name);
}
#endif
