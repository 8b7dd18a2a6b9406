#include "storage/sql.hpp"

#include <charconv>

namespace opsbot::storage::sql {

std::int64_t value::as_int64() const {
    if (kind_ == kind::integer) {
        return integer_;
    }
    if (kind_ == kind::text) {
        std::int64_t parsed = 0;
        const auto [end, ec] = std::from_chars(text_.data(), text_.data() + text_.size(), parsed);
        if (ec == std::errc{} && end == text_.data() + text_.size()) {
            return parsed;
        }
        throw error(failure::other, "a column read as an integer holds text that is not one");
    }
    throw error(failure::other, "a column read as an integer is NULL");
}

std::string value::as_string() const {
    if (kind_ == kind::integer) {
        return std::to_string(integer_);
    }
    return text_;
}

statement& statement::bind(int index, value v) {
    if (index < 1) {
        throw error(failure::other, "placeholders are numbered from 1");
    }
    if (params_.size() < static_cast<std::size_t>(index)) {
        params_.resize(static_cast<std::size_t>(index));
    }
    params_[static_cast<std::size_t>(index) - 1] = std::move(v);
    return *this;
}

bool statement::step() {
    if (!ran_) {
        result_ = conn_->run(text_, params_);
        ran_ = true;
        next_ = 0;
    }
    if (next_ >= result_.rows.size()) {
        next_ = result_.rows.size() + 1;  // past the end: column() refuses
        return false;
    }
    ++next_;
    return true;
}

std::int64_t statement::exec() {
    result_ = conn_->run(text_, params_);
    ran_ = true;
    next_ = result_.rows.size() + 1;
    return result_.changed;
}

const value& statement::column(int index) const {
    if (next_ == 0 || next_ > result_.rows.size()) {
        throw error(failure::other, "a column was read without a current row");
    }
    const auto& row = result_.rows[next_ - 1];
    if (index < 0 || static_cast<std::size_t>(index) >= row.size()) {
        throw error(failure::other, "a column past the row's last was read");
    }
    return row[static_cast<std::size_t>(index)];
}

transaction::transaction(connection& conn, mode m) : conn_(&conn) {
    if (m == mode::write) {
        conn.begin_write();
    } else {
        conn.begin_read();
    }
}

transaction::~transaction() {
    if (open_) {
        conn_->rollback();
    }
}

void transaction::commit() {
    conn_->commit();
    open_ = false;
}

}  // namespace opsbot::storage::sql
