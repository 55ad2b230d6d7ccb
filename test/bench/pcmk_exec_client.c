/* The executor benchmark's Pacemaker side (driven by test/bench/exec_bench.py):
 * a client of a standalone pacemaker-execd through Pacemaker's own liblrmd,
 * as pacemaker-controld uses it (IPC "lrmd", results as exec_complete events
 * on a glib main loop). Built by the driver against Debian's pacemaker-dev.
 *
 *   pcmk_exec_client oneshot N PROVIDER TYPE ACTION
 *     N actions one after the other, each from exec() until its result event;
 *     before each, the same agent by plain posix_spawn + waitpid (the baseline).
 *     Prints {"baseline_ms": [...], "executor_ms": [...], "failures": F}.
 *   pcmk_exec_client recurring R INTERVAL_MS SECONDS PROVIDER TYPE EXECD_PID
 *     R resources with a recurring monitor each; after 2 s of warm-up, counts
 *     the results delivered and pacemaker-execd's own CPU (utime + stime of
 *     /proc/EXECD_PID/stat, without its children) over SECONDS.
 *     Prints {"monitors": M, "cpu_ms": C, "seconds": S, "failures": F}.
 * Not a test: nothing here judges a time. */
#include <errno.h>
#include <glib.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <crm/crm.h>
#include <crm/lrmd.h>
#include <crm/services.h>

static GMainLoop *loop;
static lrmd_t *conn;
static const char *provider, *type, *task;
static int wanted, done_count, failures, interval_ms;
static double *base_ms, *exec_ms, t0;
static long completed, count0;
static double cpu0, wall0;
static int execd_pid;
static int closing;
static char agent_path[512];
static char *agent_env[16];

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* The agent's own run time: its argv and an OCF environment like execd's. */
static double baseline_run(void)
{
    char *argv[] = {agent_path, (char *) task, NULL};
    double start = now_ms();
    pid_t pid;
    int status;

    if (posix_spawn(&pid, agent_path, NULL, NULL, argv, agent_env) != 0) {
        return -1;
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return now_ms() - start;
}

static void make_env(void)
{
    int n = 0;
    agent_env[n++] = g_strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin");
    agent_env[n++] = g_strdup("OCF_ROOT=/usr/lib/ocf");
    agent_env[n++] = g_strdup("OCF_RA_VERSION_MAJOR=1");
    agent_env[n++] = g_strdup("OCF_RA_VERSION_MINOR=1");
    agent_env[n++] = g_strdup("OCF_RESOURCE_INSTANCE=bench0");
    agent_env[n++] = g_strdup_printf("OCF_RESOURCE_TYPE=%s", type);
    agent_env[n++] = g_strdup_printf("OCF_RESOURCE_PROVIDER=%s", provider);
    agent_env[n++] = g_strdup("OCF_RESKEY_CRM_meta_timeout=20000");
    agent_env[n] = NULL;
    snprintf(agent_path, sizeof(agent_path), "/usr/lib/ocf/resource.d/%s/%s", provider, type);
}

static double execd_cpu_ms(void)
{
    char path[64], buf[4096];
    FILE *f;
    size_t len;
    char *p;
    unsigned long utime = 0, stime = 0;
    int field;

    snprintf(path, sizeof(path), "/proc/%d/stat", execd_pid);
    f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    len = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[len] = '\0';
    /* the command name may hold spaces: fields count from after its ')' (field 2) */
    p = strrchr(buf, ')');
    if (p == NULL) {
        return -1;
    }
    for (field = 3; field < 14 && p != NULL; field++) {
        p = strchr(p + 1, ' ');
    }
    if (p == NULL || sscanf(p, " %lu %lu", &utime, &stime) != 2) {
        return -1;
    }
    return (utime + stime) * 1000.0 / sysconf(_SC_CLK_TCK);
}

static void print_list(const char *name, const double *v, int n)
{
    printf("\"%s\": [", name);
    for (int i = 0; i < n; i++) {
        printf("%s%.4f", i ? ", " : "", v[i]);
    }
    printf("], ");
}

static gboolean next_oneshot(gpointer data)
{
    char rsc[32];
    int rc;

    if (done_count == wanted) {
        g_main_loop_quit(loop);
        return G_SOURCE_REMOVE;
    }
    base_ms[done_count] = baseline_run();
    snprintf(rsc, sizeof(rsc), "bench%d", done_count % 10);
    t0 = now_ms();
    rc = conn->cmds->exec(conn, rsc, task, NULL, 0, 20000, 0, lrmd_opt_none, NULL);
    if (rc < 0) {
        fprintf(stderr, "pcmk_exec_client: exec: %s\n", pcmk_strerror(rc));
        failures = -1;
        g_main_loop_quit(loop);
    }
    return G_SOURCE_REMOVE;
}

static void on_event(lrmd_event_data_t *event)
{
    if (event->type == lrmd_event_disconnect) {
        if (closing) {
            return;
        }
        fprintf(stderr, "pcmk_exec_client: execd went away\n");
        failures = -1;
        g_main_loop_quit(loop);
        return;
    }
    if (event->type != lrmd_event_exec_complete) {
        return;
    }
    if (event->op_status != 0) {
        failures++;
    }
    if (interval_ms > 0) {
        completed++;
        return;
    }
    exec_ms[done_count++] = now_ms() - t0;
    g_idle_add(next_oneshot, NULL);
}

static gboolean window_begin(gpointer data)
{
    count0 = completed;
    cpu0 = execd_cpu_ms();
    wall0 = now_ms();
    return G_SOURCE_REMOVE;
}

static gboolean window_end(gpointer data)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

static int register_all(int n)
{
    char rsc[32];
    for (int i = 0; i < n; i++) {
        int rc;
        snprintf(rsc, sizeof(rsc), interval_ms > 0 ? "rsc%d" : "bench%d", i);
        rc = conn->cmds->register_rsc(conn, rsc, "ocf", provider, type, lrmd_opt_drop_recurring);
        if (rc != pcmk_ok) {
            fprintf(stderr, "pcmk_exec_client: register %s: %s\n", rsc, pcmk_strerror(rc));
            return -1;
        }
    }
    return 0;
}

static int oneshot(void)
{
    base_ms = calloc(wanted, sizeof(double));
    exec_ms = calloc(wanted, sizeof(double));
    if (register_all(10) != 0) {
        return 1;
    }
    g_idle_add(next_oneshot, NULL);
    g_main_loop_run(loop);
    if (failures < 0) {
        return 1;
    }
    printf("{");
    print_list("baseline_ms", base_ms, done_count);
    print_list("executor_ms", exec_ms, done_count);
    printf("\"failures\": %d}\n", failures);
    return 0;
}

static int recurring(int resources, int seconds)
{
    char rsc[32];
    if (register_all(resources) != 0) {
        return 1;
    }
    for (int i = 0; i < resources; i++) {
        snprintf(rsc, sizeof(rsc), "rsc%d", i);
        if (conn->cmds->exec(conn, rsc, "monitor", NULL, interval_ms, 20000, 0, lrmd_opt_none, NULL) < 0) {
            fprintf(stderr, "pcmk_exec_client: exec %s failed\n", rsc);
            return 1;
        }
    }
    g_timeout_add(2000, window_begin, NULL);
    g_timeout_add(2000 + seconds * 1000, window_end, NULL);
    g_main_loop_run(loop);
    if (failures < 0 || cpu0 < 0) {
        return 1;
    }
    printf("{\"monitors\": %ld, \"cpu_ms\": %.1f, \"seconds\": %.3f, \"failures\": %d}\n", completed - count0,
           execd_cpu_ms() - cpu0, (now_ms() - wall0) / 1000.0, failures);
    return 0;
}

int main(int argc, char **argv)
{
    int rc, result;
    int is_oneshot = argc == 6 && strcmp(argv[1], "oneshot") == 0;
    int is_recurring = argc == 8 && strcmp(argv[1], "recurring") == 0;

    if (!is_oneshot && !is_recurring) {
        fprintf(stderr, "usage: pcmk_exec_client oneshot N PROVIDER TYPE ACTION\n"
                        "       pcmk_exec_client recurring R INTERVAL_MS SECONDS PROVIDER TYPE EXECD_PID\n");
        return 2;
    }
    if (is_oneshot) {
        wanted = atoi(argv[2]);
        provider = argv[3];
        type = argv[4];
        task = argv[5];
    } else {
        interval_ms = atoi(argv[3]);
        provider = argv[5];
        type = argv[6];
        task = "monitor";
        execd_pid = atoi(argv[7]);
    }
    make_env();
    loop = g_main_loop_new(NULL, FALSE);
    conn = lrmd_api_new();
    conn->cmds->set_callback(conn, on_event);
    rc = conn->cmds->connect(conn, "exec-bench", NULL);
    if (rc != pcmk_ok) {
        fprintf(stderr, "pcmk_exec_client: connect: %s\n", pcmk_strerror(rc));
        return 1;
    }
    result = is_oneshot ? oneshot() : recurring(atoi(argv[2]), atoi(argv[4]));
    closing = 1;
    conn->cmds->disconnect(conn);
    lrmd_api_delete(conn);
    return result;
}
