#pragma once

#include <filesystem>

#include "report/report_model.h"

namespace foley::report {

struct ImageStats {
  int drawn = 0;    // sounds pictured by this run (a spectrogram and a waveform each)
  int reused = 0;   // sounds whose pictures were already there under their key
  int removed = 0;  // picture files no row uses any more
  int failed = 0;   // sounds that could not be decoded (warned about; shown without pictures)
};

// Draws the spectrogram and the waveform of every take whose object is
// present, and of the delivered file of cues without takes, into
// `report_dir`/img/ as <key>-spectrogram-v<N>.png and <key>-waveform-v<N>.png
// (N: the drawing's version). A key names one sound for good (an object's gen
// key, a delivered file's render key), so a picture already there is reused:
// only a changed sound is drawn again. Removes the pictures no row uses.
// Fills the Images fields of `report` (a row gets its picked take's).
// A sound that cannot be decoded is warned about and left without pictures.
ImageStats make_images(Report& report, const std::filesystem::path& project_root,
                       const std::filesystem::path& report_dir);

// The sizes every picture is drawn at (the page states them in <img>).
int spectrogram_width();
int spectrogram_height();
int waveform_width();
int waveform_height();

}  // namespace foley::report
