#include "bot/signals.hpp"

#include <pthread.h>
#include <signal.h>

#include <thread>

namespace opsbot::bot {

struct signal_watcher::state {
    sigset_t set{};
    std::thread thread;
};

signal_watcher::signal_watcher(std::function<void(int)> on_signal) : state_(std::make_unique<state>()) {
    sigemptyset(&state_->set);
    sigaddset(&state_->set, SIGINT);
    sigaddset(&state_->set, SIGTERM);
    sigaddset(&state_->set, SIGUSR1);  // our own wake-up for shutdown
    pthread_sigmask(SIG_BLOCK, &state_->set, nullptr);
    state_->thread = std::thread([s = state_.get(), on_signal = std::move(on_signal)] {
        for (;;) {
            int sig = 0;
            if (sigwait(&s->set, &sig) != 0 || sig == SIGUSR1) {
                return;
            }
            on_signal(sig);
        }
    });
}

signal_watcher::~signal_watcher() {
    pthread_kill(state_->thread.native_handle(), SIGUSR1);
    state_->thread.join();
}

}  // namespace opsbot::bot
