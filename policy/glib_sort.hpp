#pragma once
// GLib's g_list_sort, which Pacemaker uses for its lists: a stable top-down
// merge sort whose left half is the shorter one (floor(n/2) elements), taking
// from the left on ties. Reproducing it exactly keeps orders the same as
// Pacemaker's even where a comparison is not a strict weak ordering.
#include <cstddef>
#include <vector>

namespace holdfast::policy {

// cmp(a, b) < 0 when a goes first, > 0 when b does, 0 when equal
template <class T, class Cmp>
void glib_merge_sort(std::vector<T>& v, Cmp cmp) {
    if (v.size() < 2) return;
    const auto half = static_cast<std::ptrdiff_t>(v.size() / 2);
    std::vector<T> left(v.begin(), v.begin() + half);
    std::vector<T> right(v.begin() + half, v.end());
    glib_merge_sort(left, cmp);
    glib_merge_sort(right, cmp);
    size_t i = 0, j = 0, k = 0;
    while (i < left.size() && j < right.size()) v[k++] = cmp(left[i], right[j]) <= 0 ? left[i++] : right[j++];
    while (i < left.size()) v[k++] = left[i++];
    while (j < right.size()) v[k++] = right[j++];
}

}  // namespace holdfast::policy
