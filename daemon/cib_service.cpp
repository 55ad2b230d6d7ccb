// The node's CIB as the replica's store (see cib_service.hpp).
#include "daemon/cib_service.hpp"

#include <cstdlib>

#include "cib/store.hpp"
#include "daemon/log.hpp"

namespace holdfast::daemon {

cib_service::cib_service(cib::document doc, std::string state_dir)
    : doc_(std::move(doc)), state_dir_(std::move(state_dir)) {}

void cib_service::set_local_node(std::string id, std::string uname) {
    node_id_ = std::move(id);
    uname_ = std::move(uname);
}

membership::replica_version cib_service::version() const {
    const auto v = cib::version(doc_);
    return {static_cast<uint64_t>(v.admin_epoch), static_cast<uint64_t>(v.epoch), static_cast<uint64_t>(v.num_updates)};
}

std::string cib_service::snapshot() const { return doc_.to_string(); }

cib_service::~cib_service() { flush(); }

void cib_service::save_now() {
    if (state_dir_.empty()) return;
    if (auto s = cib::save(doc_, state_dir_); !s)
        log_event(LOG_ERR, "cib_save_failed", {{"dir", state_dir_}, {"error", s.error().to_string()}});
}

void cib_service::flush() {
    if (saver_) saver_->run_if_due();
}

void cib_service::saved_and_told(const cib::change* c, const cib::applied* r) {
    if (!saver_) save_now();
    for (const auto& l : listeners_) l(c, r);
    if (saver_) saver_->poke();
}

void cib_service::refresh_own_state() const {
    if (!own_state_stale_) return;
    own_state_stale_ = false;
    if (!fresh_ && !node_id_.empty()) own_node_state_ = cib::node_state_xml(doc_, node_id_);
}

bool cib_service::install(std::string_view snapshot) {
    auto doc = cib::load_string(snapshot, {}, "<cluster CIB>");
    if (!doc) {
        log_event(LOG_ERR, "cib_install_failed", {{"error", doc.error().to_string()}});
        return false;
    }
    // the copy being replaced is what our partition applied: our node's truth
    // until our announcement is merged (a second install in a row keeps the first's)
    if (!own_view_) own_view_ = std::move(doc_);
    doc_ = std::move(*doc);
    const auto v = version();
    log_event(LOG_NOTICE, "cib_installed", {{"version", membership::to_string(v)}});
    saved_and_told(nullptr, nullptr);
    return true;
}

// All or nothing: a change that cannot be stored is not applied either.
expected<cib::applied, cib::error> cib_service::apply_local(const cib::change& c) {
    cib::document next = doc_.clone();
    auto r = cib::apply(next, c);
    if (!r || !r->changed) return r;
    if (!state_dir_.empty()) {
        if (auto s = cib::save(next, state_dir_); !s)
            return unexpected(cib::error{cib::errc::io, "cannot save the CIB: " + s.error().to_string(), "", 0});
    }
    doc_ = std::move(next);
    for (const auto& l : listeners_) l(&c, &*r);
    return r;
}

bool cib_service::apply(std::string_view bytes) {
    auto c = cib::parse_change(bytes);
    if (!c) {
        ++rejected_;
        log_event(LOG_WARNING, "cib_change_unreadable", {{"error", c.error().to_string()}});
        return false;
    }
    if (own_view_) (void)cib::apply(*own_view_, *c);  // what it refuses changes nothing there
    auto r = cib::apply(doc_, *c);
    if (!r) {
        ++rejected_;
        log_event(LOG_WARNING, "cib_change_rejected",
                  {{"op", cib::to_string(c->op)}, {"error", r.error().to_string()}});
        if (on_rejected) on_rejected(*c, r.error());
        return false;
    }
    if (r->changed) {
        // our node_state as this partition has it, taken when next needed
        if (!r->config_changed) own_state_stale_ = true;
        saved_and_told(&*c, &*r);
    }
    return true;
}

std::string cib_service::own_state() const {
    if (node_id_.empty()) return {};
    if (fresh_) return cib::serialize(cib::change::clear_node_history(node_id_));
    if (own_view_) {
        const std::string ns = cib::node_state_xml(*own_view_, node_id_);
        return ns.empty() ? std::string() : cib::serialize(cib::change::replace_node_state(ns));
    }
    refresh_own_state();
    if (own_node_state_.empty()) return {};
    return cib::serialize(cib::change::replace_node_state(own_node_state_));
}

void cib_service::merge_own_state(const membership::cpg_member& from, std::string_view state) {
    if (state.empty()) return;
    auto c = cib::parse_change(state);
    // a node speaks for itself only
    const std::string from_id = std::to_string(from.nodeid);
    const bool own = c && ((c->op == cib::change_op::clear_node_history && c->node_id == from_id) ||
                           (c->op == cib::change_op::replace_node_state &&
                            c->payload.rfind("<node_state id=\"" + from_id + "\"", 0) == 0));
    if (!own) {
        ++rejected_;
        log_event(LOG_WARNING, "own_state_refused", {{"from", std::to_string(from.nodeid)}});
        return;
    }
    const bool ours = from_id == node_id_;
    apply(state);
    if (ours) own_view_.reset();  // the cluster's copy has our truth again
    if (ours && fresh_) {
        fresh_ = false;
        own_node_state_ = cib::node_state_xml(doc_, node_id_);
    } else if (ours) {
        own_state_stale_ = true;
    }
}

}  // namespace holdfast::daemon
