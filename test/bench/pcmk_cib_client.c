/* pcmk_cib_client: the cluster benchmark's long-lived CIB client for
 * Pacemaker 2.1.5's CIB manager, through its own library (libcib), the way
 * Pacemaker's daemons talk to it. The twin of bench_cib_client.cpp, with the
 * same commands and answers (see there), and `state` for fence_bench.py. Built by cluster_bench.py against
 * Debian's pacemaker-dev; a measuring instrument for the oracle, not part of
 * Holdfast. */
#include <crm/cib.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One cluster property, as crm_attribute --type crm_config writes it. */
static int set_property(cib_t *cib, const char *name, const char *value) {
    char id[512];
    snprintf(id, sizeof id, "cib-bootstrap-options-%s", name);
    xmlNode *set = xmlNewNode(NULL, (const xmlChar *)"cluster_property_set");
    xmlNewProp(set, (const xmlChar *)"id", (const xmlChar *)"cib-bootstrap-options");
    xmlNode *pair = xmlNewChild(set, NULL, (const xmlChar *)"nvpair", NULL);
    xmlNewProp(pair, (const xmlChar *)"id", (const xmlChar *)id);
    xmlNewProp(pair, (const xmlChar *)"name", (const xmlChar *)name);
    xmlNewProp(pair, (const xmlChar *)"value", (const xmlChar *)value);
    int rc = cib->cmds->modify(cib, "crm_config", set, cib_sync_call);
    xmlFreeNode(set);
    return rc;
}

static int shows(xmlNode *n, const char *name, const char *value) {
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (strcmp((const char *)n->name, "nvpair") == 0) {
            xmlChar *nm = xmlGetProp(n, (const xmlChar *)"name");
            xmlChar *v = xmlGetProp(n, (const xmlChar *)"value");
            int hit = nm && v && strcmp((char *)nm, name) == 0 && strcmp((char *)v, value) == 0;
            xmlFree(nm);
            xmlFree(v);
            if (hit) return 1;
        }
        if (shows(n->children, name, value)) return 1;
    }
    return 0;
}

/* NODE's <node_state> carries ATTR=VALUE (attr_value is "ATTR=VALUE"). */
static int node_state_shows(xmlNode *n, const char *node, const char *attr_value) {
    const char *eq = strchr(attr_value, '=');
    if (!eq) return 0;
    char attr[256];
    snprintf(attr, sizeof attr, "%.*s", (int)(eq - attr_value), attr_value);
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (strcmp((const char *)n->name, "node_state") == 0) {
            xmlChar *uname = xmlGetProp(n, (const xmlChar *)"uname");
            xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);
            int mine = uname && strcmp((char *)uname, node) == 0;
            int hit = mine && v && strcmp((char *)v, eq + 1) == 0;
            xmlFree(uname);
            xmlFree(v);
            if (mine) return hit;
            continue;
        }
        if (node_state_shows(n->children, node, attr_value)) return 1;
    }
    return 0;
}

typedef int (*predicate)(xmlNode *, const char *, const char *);

static void wait_for(cib_t *cib, predicate shows, const char *name, const char *value, double seconds) {
    double end = now() + seconds;
    for (;;) {
        double q0 = now();
        xmlNode *out = NULL;
        int rc = cib->cmds->query(cib, NULL, &out, cib_sync_call | cib_scope_local);
        double q1 = now();
        int hit = rc == pcmk_ok && out && shows(out, name, value);
        if (out) xmlFreeNode(out);
        if (hit) {
            printf("seen %.6f %.6f\n", q0, q1);
            return;
        }
        if (q1 > end) {
            printf("timeout\n");
            return;
        }
        usleep(200);
    }
}

int main(void) {
    cib_t *cib = cib_new();
    if (!cib || cib->cmds->signon(cib, "holdfast-bench", cib_command) != pcmk_ok) {
        fprintf(stderr, "pcmk_cib_client: cannot sign on to the CIB manager\n");
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    char line[1024];
    while (fgets(line, sizeof line, stdin)) {
        char cmd[32] = "", name[256] = "", value[256] = "";
        double seconds = 60;
        if (sscanf(line, "%31s %255s %255s %lf", cmd, name, value, &seconds) < 1) continue;
        if (strcmp(cmd, "set") == 0) {
            double t0 = now();
            int rc = set_property(cib, name, value);
            printf("done %.6f %.6f %d\n", t0, now(), rc == pcmk_ok ? 0 : 1);
        } else if (strcmp(cmd, "burst") == 0) {
            double t0 = now();
            int failures = 0;
            for (int i = 1, n = atoi(value); i <= n; ++i) {
                char v[32];
                snprintf(v, sizeof v, "%d", i);
                failures += set_property(cib, name, v) != pcmk_ok;
            }
            printf("done %.6f %.6f %d\n", t0, now(), failures);
        } else if (strcmp(cmd, "wait") == 0) {
            wait_for(cib, shows, name, value, seconds);
        } else if (strcmp(cmd, "state") == 0) {
            wait_for(cib, node_state_shows, name, value, seconds);
        } else if (strcmp(cmd, "quit") == 0) {
            break;
        }
    }
    cib->cmds->signoff(cib);
    cib_delete(cib);
    return 0;
}
