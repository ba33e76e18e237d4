// Opens a generated report in headless Chromium, as a person would, and checks that every chart
// rendered with a size; the screenshot stays in the build tree as a test artefact.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <regex>

#include "greentune/common/atomic_file.hpp"
#include "greentune/report/html.hpp"
#include "report/memory_storage.hpp"
#include "report/report_support.hpp"

namespace greentune::report {
namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

int run(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string chromium_command(const std::filesystem::path& profile) {
  // No network, no first-run work, a throw-away profile: the report must render offline.
  return std::string(kChromium) +
         " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
         " --disable-background-networking --disable-component-update --disable-sync"
         " --disable-dev-shm-usage --user-data-dir=" +
         profile.string() + " --window-size=1280,4000";
}

TEST(Chromium, EveryChartRendersInTheBrowser) {
  if (::access(kChromium, X_OK) != 0) GTEST_SKIP() << kChromium << " is not installed";
  testing::MemoryStorage storage;
  testing::fill_example_store(storage, {});
  auto dir = testing::fresh_dir("chromium");
  auto files = write_report(storage, dir, {});
  ASSERT_GT(files.charts, 0);

  // Measure each chart's rendered box with a script run after load; the report itself has none.
  // The probe copies the report and appends a script that writes the sizes into the DOM.
  std::string html = read_file(files.html);
  std::string probe_script =
      "<script>document.body.setAttribute('data-sizes', Array.from("
      "document.querySelectorAll('figure.chart svg')).map(function(s){var r="
      "s.getBoundingClientRect();return Math.round(r.width)+'x'+Math.round(r.height);}).join(' '));"
      "</script>";
  auto at = html.rfind("</body>");
  ASSERT_NE(at, std::string::npos);
  write_file_atomically(dir / "probe.html", html.substr(0, at) + probe_script + html.substr(at));

  auto screenshot = dir / "report.png";
  int rc = run(chromium_command(dir / "profile-shot") + " --screenshot=" + screenshot.string() +
               " file://" + files.html.string() + " > " + (dir / "shot.log").string() + " 2>&1");
  ASSERT_EQ(rc, 0) << read_file(dir / "shot.log");
  ASSERT_TRUE(std::filesystem::exists(screenshot));
  EXPECT_GT(std::filesystem::file_size(screenshot), 10000u);
  std::printf("report screenshot: %s\n", screenshot.c_str());

  auto dom_path = dir / "dom.html";
  rc = run(chromium_command(dir / "profile-dom") + " --dump-dom file://" +
           (dir / "probe.html").string() + " > " + dom_path.string() + " 2> " +
           (dir / "dom.log").string());
  ASSERT_EQ(rc, 0) << read_file(dir / "dom.log");
  std::string dom = read_file(dom_path);
  EXPECT_EQ(testing::count(dom, "<svg"), static_cast<size_t>(files.charts));
  std::smatch match;
  ASSERT_TRUE(std::regex_search(dom, match, std::regex("data-sizes=\"([^\"]*)\"")))
      << "the probe script did not run";
  std::string sizes = match[1];
  std::regex size("(\\d+)x(\\d+)");
  int rendered = 0;
  for (auto it = std::sregex_iterator(sizes.begin(), sizes.end(), size);
       it != std::sregex_iterator(); ++it) {
    EXPECT_GT(std::stoi((*it)[1]), 100) << sizes;
    EXPECT_GT(std::stoi((*it)[2]), 50) << sizes;
    ++rendered;
  }
  EXPECT_EQ(rendered, files.charts) << sizes;
}

}  // namespace
}  // namespace greentune::report
