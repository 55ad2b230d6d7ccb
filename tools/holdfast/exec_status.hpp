#pragma once
// Recording simulated results in a CIB's status section, as Pacemaker's
// injection code does (tools/holdfast internal). The model recorder always
// runs, since the revised status is read from the model; the XML recorder
// runs too when the document keeps its XML status, so that -O writes it.
// Both look entries up the same way (first node_state by name; a history id
// present twice counts as absent) and write the same values.
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "cib/cib.hpp"
#include "policy/graph.hpp"

namespace holdfast::tools::exec {

// What one simulated operation records, whichever the store.
struct op_result {
    std::string task;  // a reload leaves the resource as a start would
    int rc = 0;
    std::string transition_key;
    std::string transition_magic;
    std::string stamp;  // last-run and last-rc-change
};
op_result result_of(const policy::graph_action& a);

// The history entry's id for `task` of resource `rsc`.
std::string history_id(const std::string& rsc, const std::string& task, const policy::graph_action& a);

class model_recorder {
public:
    explicit model_recorder(cib::cib_model& m);
    // Resource names the status history holds (before anything is recorded).
    std::set<std::string> history_names() const;
    void fence(const std::string& uname, const std::string& id);
    // Records the result of `a` on its node, under history name `shown` when
    // that entry exists, else under the action's resource id.
    void record(const policy::graph_action& a, const op_result& r, const std::string& shown,
                const std::string& node_id);

private:
    size_t node(const std::string& uname, const std::string& id);
    std::unordered_map<std::string, size_t>& resources_of(size_t node);

    cib::cib_model& m_;
    std::unordered_map<std::string, size_t> nodes_;  // uname -> index into node_states
    // node index -> lrm_resource id -> index (npos when the id is there twice)
    std::unordered_map<size_t, std::unordered_map<std::string, size_t>> rscs_;
};

class xml_recorder {
public:
    explicit xml_recorder(cib::document& doc);
    ~xml_recorder();
    xml_recorder(const xml_recorder&) = delete;
    xml_recorder& operator=(const xml_recorder&) = delete;
    void fence(const std::string& uname, const std::string& id);
    void record(const policy::graph_action& a, const op_result& r, const std::string& shown,
                const std::string& node_id);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace holdfast::tools::exec
