/* cpg_watch: the fencing benchmark's view of Corosync's membership from
 * inside one lab node (test/bench/fence_bench.py). It asks libcpg for totem
 * configuration changes (the ring membership every daemon of the node is
 * told about) and prints one line per change, as soon as it is delivered:
 *   members T ID,ID,...   T: CLOCK_MONOTONIC seconds (every lab node shares it)
 * The first line is the membership at start. It joins a group of its own
 * (corosync tells totem changes only to connections that joined one). Built by fence_bench.py with libcpg;
 * a measuring instrument, not part of Holdfast. */
#include <corosync/cpg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void totem_changed(cpg_handle_t handle, struct cpg_ring_id ring_id, uint32_t entries,
                          const uint32_t *members) {
    (void)handle;
    (void)ring_id;
    printf("members %.6f ", now());
    for (uint32_t i = 0; i < entries; ++i) printf(i ? ",%u" : "%u", members[i]);
    printf("\n");
    fflush(stdout);
}

int main(void) {
    cpg_model_v1_data_t model = {
        .model = CPG_MODEL_V1,
        .cpg_totem_confchg_fn = totem_changed,
        .flags = CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF,
    };
    cpg_handle_t handle;
    if (cpg_model_initialize(&handle, CPG_MODEL_V1, (cpg_model_data_t *)&model, NULL) != CS_OK) {
        fprintf(stderr, "cpg_watch: cannot connect to corosync\n");
        return 1;
    }
    static const char name[] = "holdfast-bench-cpg";
    struct cpg_name group = {.length = sizeof name - 1};
    memcpy(group.value, name, sizeof name - 1);
    if (cpg_join(handle, &group) != CS_OK) {
        fprintf(stderr, "cpg_watch: cannot join a group\n");
        return 1;
    }
    /* blocks, calling totem_changed, until corosync goes away */
    cs_error_t rc = cpg_dispatch(handle, CS_DISPATCH_BLOCKING);
    cpg_finalize(handle);
    return rc == CS_OK ? 0 : 1;
}
