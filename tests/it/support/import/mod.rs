pub mod load;
pub mod messy;
pub mod workbook;
