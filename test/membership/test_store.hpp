#pragma once
// An in-memory replica_store for the replica tests: a map of strings with a
// version the test can preset. A change is "key=value" (anything else is
// rejected); it also folds itself into the "_order" key, so two stores with
// equal snapshots applied the same changes in the same order. merge_own_state
// writes "status/<pid>" (all test replicas share nodeid 1).
#include <map>
#include <string>
#include <string_view>

#include "membership/replica.hpp"

namespace holdfast::test {

class test_store : public membership::replica_store {
public:
    std::map<std::string, std::string> data;
    membership::replica_version ver;
    std::string own;

    membership::replica_version version() const override { return ver; }
    std::string snapshot() const override;
    bool install(std::string_view snapshot) override;
    bool apply(std::string_view change) override;
    std::string own_state() const override { return own; }
    void merge_own_state(const membership::cpg_member& from, std::string_view state) override;
};

}  // namespace holdfast::test
